"""Prompt templates and the reusable elements both modes build prompts from."""

from . import elements, templates
from .templates import render

__all__ = ["elements", "render", "templates"]
