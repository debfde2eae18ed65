"""Download the lecture's digits files into the user data folder (``deltaprop fetch-data``).

Four files: the USPS images ``zip.train`` / ``zip.test`` (served gzipped by the web site of The
Elements of Statistical Learning) and the course's ``features.train`` / ``features.test``. Each
download is checked against the sha256 of the file's (decompressed) content, the checksums of
the course files' provenance notes (:data:`deltaprop.shipped_data.SHA256`), and stored
decompressed. The package already ships the same files (:mod:`deltaprop.shipped_data`); this
download refreshes them into the user data folder, which :func:`deltaprop.load_digits` then
prefers.

A download goes to a hidden temporary file in the destination folder, which is renamed to the
final name (``os.replace``, atomic on one file system) only after the whole content has arrived
and its checksum matched; on any failure the temporary file is removed. So a file with a data
name is always complete, correct data. Files already present with the right checksum are not
downloaded again.

Only the standard library (urllib) is used; tqdm draws the progress bar when installed.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import socket
import sys
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Union

from .datasets import user_data_dir
from .shipped_data import SHA256

__all__ = ["FetchError", "REMOTE_FILES", "fetch_data", "fetch_command"]

PathLike = Union[str, "os.PathLike[str]"]

ESL_URL = "https://hastie.su.domains/ElemStatLearn/datasets/"
COURSE_URL = "http://www.amlbook.com/data/zip/"
CHUNK = 1 << 16


@dataclass(frozen=True)
class RemoteFile:
    name: str       # the file written
    remote: str     # its name on the server (".gz" when served gzipped)
    base_url: str   # the public folder it is served from
    sha256: str     # of the decompressed content, as stored


REMOTE_FILES = (
    RemoteFile("features.train", "features.train", COURSE_URL, SHA256["features.train"]),
    RemoteFile("features.test", "features.test", COURSE_URL, SHA256["features.test"]),
    RemoteFile("zip.train", "zip.train.gz", ESL_URL, SHA256["zip.train"]),
    RemoteFile("zip.test", "zip.test.gz", ESL_URL, SHA256["zip.test"]),
)

#: what a failed `deltaprop fetch-data` adds: the download only refreshes what is installed
NOT_NEEDED = ("not needed: deltaprop already ships these files, and `deltaprop digits` "
              "uses them without a download")


class FetchError(OSError):
    """A download that failed: HTTP error, timeout, dropped connection, corrupt content."""


def fetch_data(dest: Optional[PathLike] = None, base_url: Optional[str] = None,
               progress: bool = True, timeout: float = 30.0, force: bool = False) -> List[Path]:
    """Download the digits files, check them and store them in ``dest``.

    Parameters
    ----------
    dest : str or path-like, optional
        The folder to write to (created if needed). Default: :func:`deltaprop.datasets.user_data_dir`,
        where :func:`deltaprop.datasets.load_digits` looks.
    base_url : str, optional
        Download every file from this one folder (a mirror serving ``features.train``,
        ``features.test``, ``zip.train.gz``, ``zip.test.gz``) instead of the public addresses.
    progress : bool
        Show a progress bar on stderr (tqdm when installed, else a one-line percentage).
    timeout : float
        Seconds to wait for the server to answer or send more data before giving up.
    force : bool
        Download even the files already present with the right checksum.

    Returns
    -------
    list of Path
        The four files, in ``dest``.

    Raises
    ------
    FetchError
        On an HTTP error, a timeout, a connection dropped before the end, or a checksum
        mismatch. The file being downloaded is then not written (nor a temporary file left);
        files completed before it stay, and folders this call created that stay empty are
        removed.
    """
    folder = Path(dest) if dest is not None else user_data_dir()
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for remote in REMOTE_FILES:
            target = folder / remote.name
            if not force and target.is_file() and _sha256_of_file(target) == remote.sha256:
                if progress:
                    print(f"{target}: already present, checksum ok", file=sys.stderr)
            else:
                url = (base_url.rstrip("/") + "/" if base_url else remote.base_url) + remote.remote
                _download(url, target, remote.sha256, progress, timeout)
            written.append(target)
    except BaseException:
        _remove_if_empty(created)
        raise
    return written


def _remove_if_empty(folders: List[Path]) -> None:
    """Remove the folders this run created (deepest first) that are still empty, so a failed
    download leaves no trace where nothing was written."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty (a file completed before the failure), or not ours to remove
            return


def fetch_command(dest: Optional[PathLike] = None, base_url: Optional[str] = None,
                  progress: bool = True) -> int:
    """``deltaprop fetch-data [--dest DIR] [--base-url URL] [--no-progress]``: exit status 0,
    or FetchError (an OSError) for the command line to report."""
    try:
        paths = fetch_data(dest=dest, base_url=base_url, progress=progress)
    except FetchError as e:
        raise FetchError(f"{e}; {NOT_NEEDED}") from None
    print(f"digits data in {paths[0].parent}: {', '.join(p.name for p in paths)}")
    return 0


def _download(url: str, target: Path, sha256: str, progress: bool, timeout: float) -> None:
    """Download ``url`` (gunzipping it when it is gzip) to ``target``, atomically, checked."""
    # A hidden name beside the target (same file system, so os.replace is atomic), created
    # exclusively with the usual permissions (mkstemp's would be owner-only).
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _stream(url, out, progress, timeout)
            out.flush()
            os.fsync(out.fileno())
        if digest != sha256:
            raise FetchError(f"{url}: checksum mismatch (sha256 {digest}, expected {sha256}); "
                             f"the file is corrupt or not the expected data; nothing written")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _stream(url: str, out, progress: bool, timeout: float) -> str:
    """Copy the response body of ``url`` to ``out`` (decompressed if gzip); return the sha256
    of what was written."""
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as e:
        raise FetchError(f"{url}: HTTP error {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"{url}: no answer within {timeout:g} s (timed out)") from None
        raise FetchError(f"{url}: cannot connect ({reason})") from None
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        digest = hashlib.sha256()
        gunzip = None  # decided by the first bytes: gzip magic or plain
        received = 0
        bar = _progress_bar(Path(url).name, total) if progress else _no_bar
        try:
            while True:
                try:
                    # read1: whatever has arrived (up to CHUNK), so progress and the byte count
                    # on a timeout are current; read(CHUNK) would wait to fill the chunk
                    chunk = response.read1(CHUNK)
                except http.client.IncompleteRead as e:
                    received += len(e.partial)
                    chunk = b""
                if not chunk:
                    break
                received += len(chunk)
                bar(received)
                if gunzip is None:  # gzip or not is told by the magic bytes, as in the readers
                    gunzip = _Gunzip() if chunk[:2] == b"\x1f\x8b" else False
                data = gunzip(chunk) if gunzip else chunk
                digest.update(data)
                out.write(data)
        except (socket.timeout, TimeoutError):
            raise FetchError(f"{url}: timed out after {timeout:g} s without data "
                             f"({received} bytes received)") from None
        except (ConnectionError, http.client.HTTPException) as e:
            raise FetchError(f"{url}: connection lost after {received} bytes ({e})") from None
        except zlib.error as e:
            raise FetchError(f"{url}: corrupt gzip data ({e})") from None
        finally:
            bar(None)
    if total is not None and received < total:
        raise FetchError(f"{url}: connection dropped after {received} of {total} bytes")
    if gunzip and not gunzip.complete:
        raise FetchError(f"{url}: the gzip stream ends early ({received} bytes received)")
    return digest.hexdigest()


class _Gunzip:
    """Streaming gunzip of one or more concatenated gzip members (as gzip.decompress reads)."""

    def __init__(self) -> None:
        self._member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)

    def __call__(self, data: bytes) -> bytes:
        out = [self._member.decompress(data)]
        while self._member.eof and self._member.unused_data:
            data = self._member.unused_data
            self._member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            out.append(self._member.decompress(data))
        return b"".join(out)

    @property
    def complete(self) -> bool:
        return self._member.eof


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _no_bar(received: Optional[int]) -> None:
    pass


def _progress_bar(name: str, total: Optional[int]) -> Callable[[Optional[int]], None]:
    """A function to call with the bytes received so far, and with None at the end."""
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = tqdm(total=total, desc=name, unit="B", unit_scale=True, file=sys.stderr, leave=True)

        def update(received: Optional[int]) -> None:
            if received is None:
                bar.close()
            else:
                bar.update(received - bar.n)
        return update

    def plain(received: Optional[int]) -> None:
        if received is None:
            print(file=sys.stderr)
        elif total:
            print(f"\r{name}: {100 * received // total:3d}% of {total} bytes", end="", file=sys.stderr)
        else:
            print(f"\r{name}: {received} bytes", end="", file=sys.stderr)
    return plain
