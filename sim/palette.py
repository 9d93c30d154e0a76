"""The colours of every figure: the Okabe-Ito palette (Okabe and Ito 2008), whose
colours stay distinct under deuteranopia, protanopia and tritanopia, and grey for the
members who only read. It sits at the bottom of the layers so that the table of
strategies can name its colours from it."""

from __future__ import annotations

__all__ = ["GREY", "OKABE_ITO"]

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
GREY = "#999999"
