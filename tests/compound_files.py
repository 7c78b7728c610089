"""Microsoft compound files (the container of .doc and .xls), written here for upload tests.

A minimal but valid version 3 Compound File Binary: 512-byte sectors, every stream in regular sectors
(streams are padded to the 4,096-byte mini-stream cutoff, so no mini stream is needed), one directory
chain, one FAT sector. olefile, which the service uses to read them, opens them as Word and Excel do.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
END_OF_CHAIN = 0xFFFFFFFE
FAT_SECTOR = 0xFFFFFFFD
FREE = 0xFFFFFFFF
NO_STREAM = 0xFFFFFFFF
MINI_STREAM_CUTOFF = 4096
STORAGE, STREAM, ROOT = 1, 2, 5


@dataclass
class _Entry:
    name: str
    kind: int
    content: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    start: int = END_OF_CHAIN
    index: int = 0
    # Siblings are chained through their right pointers; the first child hangs from its parent.
    right_sibling: int = NO_STREAM


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding the streams named by their paths ("WordDocument", "Macros/VBA/dir");
    the storages on the way are made as needed."""
    root = _Entry("Root Entry", ROOT)
    for path, content in streams.items():
        parent = root
        *storages, name = path.split("/")
        for storage in storages:
            found = next((child for child in parent.children if child.name == storage), None)
            if found is None:
                found = _Entry(storage, STORAGE)
                parent.children.append(found)
            parent = found
        parent.children.append(_Entry(name, STREAM, content.ljust(MINI_STREAM_CUTOFF, b"\x00")))

    entries = _in_order(root)
    for index, entry in enumerate(entries):
        entry.index = index
    for entry in entries:
        for child, following in zip(entry.children, entry.children[1:], strict=False):
            child.right_sibling = following.index
    data = b""
    chains: list[int] = []
    for entry in entries:
        if entry.kind == STREAM:
            entry.start = len(chains)
            sectors = -(-len(entry.content) // SECTOR)
            chains += [*range(entry.start + 1, entry.start + sectors), END_OF_CHAIN]
            data += entry.content.ljust(sectors * SECTOR, b"\x00")

    directory = b"".join(_directory_entry(entry) for entry in entries)
    directory = directory.ljust(-(-len(directory) // SECTOR) * SECTOR, b"\x00")
    directory_start = len(chains)
    directory_sectors = len(directory) // SECTOR
    chains += [*range(directory_start + 1, directory_start + directory_sectors), END_OF_CHAIN]
    fat_sector = len(chains)
    chains.append(FAT_SECTOR)
    assert len(chains) <= SECTOR // 4, "keep test files within one FAT sector"
    fat = struct.pack(f"<{SECTOR // 4}I", *chains, *([FREE] * (SECTOR // 4 - len(chains))))

    header = b"".join(
        [
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            bytes(16),
            struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6),
            bytes(6),
            struct.pack(
                "<IIIIIIIII", 0, 1, directory_start, 0, MINI_STREAM_CUTOFF, END_OF_CHAIN, 0, END_OF_CHAIN, 0
            ),
            struct.pack("<109I", fat_sector, *([FREE] * 108)),
        ]
    )
    return header + data + directory + fat


def _in_order(root: _Entry) -> list[_Entry]:
    ordered = [root]
    for child in root.children:
        ordered += _in_order(child)
    return ordered


def _directory_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    child = entry.children[0].index if entry.children else NO_STREAM
    return b"".join(
        [
            name.ljust(64, b"\x00"),
            struct.pack("<HBB", len(name), entry.kind, 1),
            struct.pack("<III", NO_STREAM, entry.right_sibling, child),
            bytes(16 + 4 + 8 + 8),
            struct.pack("<IQ", entry.start if entry.kind == STREAM else END_OF_CHAIN, len(entry.content)),
        ]
    )
