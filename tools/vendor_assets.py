"""Refresh the front-end files the app serves itself (`make vendor`), or check them
(`make vendor-check`).

Browsers get GraphiQL, Swagger UI and the desk's graphql-ws client from this server, never
from a CDN, so they work offline and under a strict Content-Security-Policy. Each library is a
pinned npm release: `npm pack` fetches its tarball, whose sha512 must equal the registry's
published `dist.integrity`; the files the pages use and the package's licence are copied under
pages/static/vendor/, and manifest.json records the tarball integrity and each
file's sha384 (the pages' `integrity` attributes). Only this refresh needs Node and the
network; `make run` never does.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "pages" / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"
LICENCE_FILES = ("LICENSE", "LICENSE.md", "NOTICE")

# name: (pinned version, files the pages load)
PINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "react": ("18.2.0", ("umd/react.production.min.js",)),
    "react-dom": ("18.2.0", ("umd/react-dom.production.min.js",)),
    "graphiql": ("3.8.3", ("graphiql.min.js", "graphiql.min.css")),
    "swagger-ui-dist": ("5.32.0", ("swagger-ui-bundle.js", "swagger-ui.css")),
    # The returns desk's subscriptions: the protocol's reference client, not our own code.
    "graphql-ws": ("6.4.2", ("umd/graphql-ws.min.js",)),
}


def sri(data: bytes, algorithm: str = "sha384") -> str:
    """A Subresource Integrity value, the form both browsers and npm use."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def _npm(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["npm", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def _fetch(name: str, version: str, workdir: Path) -> tuple[Path, str]:
    """The release tarball, refused unless it hashes to the registry's integrity."""
    packed = json.loads(_npm("pack", f"{name}@{version}", "--json", cwd=workdir))[0]
    published = _npm("view", f"{name}@{version}", "dist.integrity", cwd=workdir).strip()
    tarball = workdir / packed["filename"]
    actual = sri(tarball.read_bytes(), "sha512")
    if not (actual == published == packed["integrity"]):
        raise SystemExit(f"{name}@{version}: tarball {actual} != registry {published}")
    return tarball, published


def _extract(name: str, version: str, files: tuple[str, ...], tarball: Path) -> dict:
    target = VENDOR / f"{name}-{version}"
    target.mkdir(parents=True, exist_ok=True)
    hashes: dict[str, str] = {}
    licences = []
    with tarfile.open(tarball) as archive:
        members = {m.name.removeprefix("package/"): m for m in archive.getmembers()}
        for path in (*files, *(f for f in LICENCE_FILES if f in members)):
            data = archive.extractfile(members[path]).read()  # type: ignore[union-attr]
            (target / Path(path).name).write_bytes(data)
            if path in LICENCE_FILES:
                licences.append(path)
            else:
                hashes[Path(path).name] = sri(data)
    return {"version": version, "files": hashes, "licences": licences}


def refresh() -> None:
    manifest: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, files) in PINS.items():
            tarball, integrity = _fetch(name, version, Path(tmp))
            manifest[name] = _extract(name, version, files, tarball) | {"tarball": integrity}
            print(f"vendored {name}@{version} ({integrity[:20]}…)")
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def problems() -> list[str]:
    """What differs between the files in the repository and the manifest (and the pins)."""
    manifest = json.loads(MANIFEST.read_text())
    found = []
    if set(manifest) != set(PINS):
        found.append(f"manifest packages {sorted(manifest)} != pins {sorted(PINS)}")
    for name, entry in manifest.items():
        folder = VENDOR / f"{name}-{entry['version']}"
        if PINS.get(name, ("",))[0] != entry["version"]:
            found.append(f"{name}: manifest {entry['version']} is not the pinned version")
        if not entry["licences"] or not all((folder / f).is_file() for f in entry["licences"]):
            found.append(f"{name}: licence file missing")
        for file, expected in entry["files"].items():
            path = folder / file
            if not path.is_file() or sri(path.read_bytes()) != expected:
                found.append(f"{name}: {file} does not match its integrity hash")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify, fetch nothing")
    if parser.parse_args().check:
        found = problems()
        print("\n".join(found) or "vendored assets match manifest.json")
        return 1 if found else 0
    refresh()
    return 0


if __name__ == "__main__":
    sys.exit(main())
