"""S3 as a dict of URI to bytes in one region (``DatasetStorage``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workflows.exceptions import DatasetTooLarge, DatasetUnavailable
from workflows.ports import StoredObject


@dataclass
class MemoryStorage:
    """Objects by ``s3://`` URI; ``broken`` makes listing fail as an unreachable S3 would."""

    objects: dict[str, bytes] = field(default_factory=dict)
    bucket: str = "bucket"
    region: str = "us-east-1"
    broken: bool = False

    def inspect(self, uri: str) -> StoredObject:
        return StoredObject(uri=uri, size=len(self._get(uri)), region=self.region)

    def download(self, uri: str, destination: Path, *, max_bytes: int) -> None:
        destination.write_bytes(self._capped(uri, max_bytes))

    def upload(self, source: Path, *, key: str) -> str:
        uri = f"s3://{self.bucket}/{key}"
        self.objects[uri] = source.read_bytes()
        return uri

    def list_uris(self, prefix_uri: str) -> list[str]:
        if self.broken:
            raise DatasetUnavailable("S3 could not list the output prefix")
        return sorted(uri for uri in self.objects if uri.startswith(prefix_uri))

    def read_text(self, uri: str, *, max_bytes: int) -> str:
        return self._capped(uri, max_bytes).decode("utf-8-sig", errors="replace")

    def _get(self, uri: str) -> bytes:
        if uri not in self.objects:
            raise DatasetUnavailable(f"There is no object at {uri}.")
        return self.objects[uri]

    def _capped(self, uri: str, max_bytes: int) -> bytes:
        data = self._get(uri)
        if len(data) > max_bytes:
            raise DatasetTooLarge(f"{uri} is larger than {max_bytes} bytes")
        return data
