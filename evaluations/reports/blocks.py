from dataclasses import dataclass

# The kinds of block a report is made of, each with its own typography (GB/T 9704-2012 §7):
# the attachment label, title lines, "一、" and "（一）" headings, and body paragraphs.
STYLES = ("label", "title", "heading1", "heading2", "body")


@dataclass(frozen=True)
class Block:
    """One paragraph of the report as the data holds it; typesetting decides its lines."""

    style: str
    text: str
