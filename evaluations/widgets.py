"""Form widgets shared by the admin pages."""

from decimal import Decimal
from typing import Any

from django import forms

from evaluations import figures


class FigureInput(forms.NumberInput):
    """A number box that shows a stored figure as figures.format_figure writes it (1356.00, not
    the database's 1356.0000); what the user typed is shown back unchanged."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return figures.format_figure(value)
        return super().format_value(value)
