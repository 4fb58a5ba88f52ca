"""Word files converted to PDF by LibreOffice (Debian's libreoffice-writer-nogui, installed by
`make test`), as someone without Word would see them.

The files name the fonts of government PCs (仿宋_GB2312, 黑体, …), which a Debian machine does
not have. A fontconfig file of the conversion's own maps each onto the face the PDF sets the
same role in (typesetting.DEFAULT_FONTS), so LibreOffice draws with those faces rather than
with whatever fontconfig would pick; nothing is changed on the machine.
"""

import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

from evaluations.reports import typesetting, word

TIMEOUT_SECONDS = 300


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    assert path, "LibreOffice is missing: apt-get install libreoffice-writer-nogui (make test does)"
    return path


def fontconfig_file(folder: Path) -> Path:
    families = typesetting.role_families()
    aliases = "".join(
        f'<alias binding="same"><family>{escape(face.name)}</family>'
        f"<prefer><family>{escape(families[role][0])}</family></prefer></alias>\n"
        for role, face in word.ROLE_FACES.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{aliases}</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def to_pdf(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Each DOCX (by name, without its extension) as the PDF LibreOffice makes of it, all
    converted by one LibreOffice run (it takes a few seconds to start)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in files.items():
        path = folder / f"{name}.docx"
        path.write_bytes(content)
        paths.append(str(path))
    profile = folder / "profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *paths,
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(folder),
            "FONTCONFIG_FILE": str(fontconfig_file(folder)),
            "LANG": "C.UTF-8",
        },
    )
    return {name: (folder / f"{name}.pdf").read_bytes() for name in files}
