"""Reading the overview page as a user reads it: the table's rows by department code, each
cell's text under its column heading, and the links of a row."""

from html.parser import HTMLParser


class OverviewTable(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.rows: dict[str, dict[str, str]] = {}
        self.links: dict[str, list[str]] = {}
        self._in_table = False
        self._section = ""
        self._cell: list[str] | None = None
        self._cells: list[str] = []
        self._code = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        values = dict(attrs)
        if tag == "table" and values.get("id") == "overview-table":
            self._in_table = True
        if not self._in_table:
            return
        if tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self._cells, self._code = [], values.get("data-code", "")
        elif tag in ("th", "td"):
            self._cell = []
        elif tag == "a" and self._section == "tbody" and self._code:
            self.links.setdefault(self._code, []).append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if not self._in_table:
            return
        if tag in ("th", "td") and self._cell is not None:
            self._cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            if self._section == "thead":
                self.headings = [text.rstrip(" ▲▼") for text in self._cells]
            elif self._code:
                self.rows[self._code] = dict(zip(self.headings, self._cells, strict=True))
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def overview_table(html: bytes) -> OverviewTable:
    table = OverviewTable()
    table.feed(html.decode())
    return table
