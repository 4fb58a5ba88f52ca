"""What a PDF carries besides its pages: the evaluation's data as embedded files (readable in any
PDF reader's attachment pane), properties in its XMP metadata (department, year, state,
version) and, on an approved document, its verification code. Built by the review layer
(review/document_data.py), drawn by the renderers; no Django."""

from __future__ import annotations

from dataclasses import dataclass, replace

# The XMP namespace of the properties (a URI that names them; nothing is fetched from it).
XMP_NAMESPACE = "http://ns.selfeval.example/report/1.0/"
XMP_PREFIX = "selfeval"


@dataclass(frozen=True)
class EmbeddedFile:
    name: str  # the file name shown in the attachment pane; readers take the type from it
    content: bytes
    description: str


@dataclass(frozen=True)
class Carried:
    files: tuple[EmbeddedFile, ...] = ()
    # XMP properties in the selfeval namespace, in order: (local name, value).
    properties: tuple[tuple[str, str], ...] = ()
    # Printed on the last page's foot and in the metadata of an approved document; "" otherwise.
    verification_code: str = ""

    def with_code(self, code: str) -> Carried:
        return replace(
            self,
            verification_code=code,
            properties=(*self.properties, ("verificationCode", code)),
        )


NOTHING = Carried()


def code_groups(code: str) -> str:
    """ "3F2A9C1B77D0" → "3F2A-9C1B-77D0": as printed and typed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
