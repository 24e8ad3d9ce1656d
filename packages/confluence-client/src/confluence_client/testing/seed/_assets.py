"""Small binary attachments for the demo: a real PNG, a text file and a PDF-like document."""

from __future__ import annotations

import struct
import zlib

__all__ = ["tiny_png", "release_notes_text", "pdf_document"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A valid RGB PNG: a blue and orange checkerboard."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type "none"
        for x in range(width):
            row += b"\x1f\x6f\xd6" if (x + y) % 2 == 0 else b"\xff\x99\x1c"
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )


def release_notes_text() -> bytes:
    """A plain-text release notes file."""
    return (
        b"Release 2.4.0\n"
        b"=============\n\n"
        b"New\n"
        b"- Single sign-on with SAML and OIDC providers\n"
        b"- Audit log export to CSV\n\n"
        b"Fixed\n"
        b"- Search no longer times out on spaces with more than 10,000 pages\n"
        b"- Attachment previews keep their aspect ratio\n"
    )


def pdf_document() -> bytes:
    """A minimal one-page PDF (enough for media-type sniffing and size checks)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
    ]
    text = b"BT /F1 18 Tf 72 720 Td (Roadmap 2025) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
