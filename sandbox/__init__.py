"""Grassroots governance sandbox (基层治理政策沙盘): a Mesa model of one township."""

__version__ = "0.1.0"
