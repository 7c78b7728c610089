"""Every file of a published release, built once by a background job, with each file's checksum.

Publishing queues the job in its own transaction (`schedule_release_files`); a worker (or, on SQLite, the
web process after answering) builds the summary as PDF and Word, the data pack as XLSX and as a zip of
CSVs, and each table as a CSV of its own into the release file store under the very keys the downloads ask
for (downloads/views.py), and records each file's SHA-256 (`ReleaseFile`). Downloads then stream the stored
file and never render it: a release's files take no reader's parameters, so every download is one of these
files.

The job is idempotent: a file already stored and recorded is not built again, so a retry after a failure
half-way, or the job queued twice, finishes the set without repeating work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from evidence_hub.models.jobs import BackgroundJob, JobStatus, ReleaseFile
from evidence_hub.models.releases import Release
from evidence_hub.services.jobs.queue import enqueue, queue_again
from evidence_hub.services.jobs.running import MAX_ATTEMPTS, JobContext, handles
from evidence_hub.services.releases import reading
from evidence_hub.services.releases.release_files import ReleaseFileKey
from evidence_hub.services.releases.shared_release_files import ReleaseFiles

if TYPE_CHECKING:
    from evidence_hub.services.releases.render.charts import SummaryCharts

KIND = "release_files"
DOCUMENT_KINDS = ("summary.pdf", "summary.docx")
PACK_KINDS = ("data-pack.xlsx", "data-pack.zip")
TABLE_KIND_PREFIX = "table-"
CHARTS_KIND = "page-charts.json"
CHUNK_BYTES = 1024 * 1024


# A release of this many sites or fewer has a missing file (or its page's charts) built in the request that
# asks for it: seconds. A larger one's files are built by its files job alone: at every local authority
# the PDF takes minutes, longer than any request may take.
SITES_BUILT_IN_A_REQUEST = 12


def built_in_a_request(release: Release) -> bool:
    return len(release.site_codes) <= SITES_BUILT_IN_A_REQUEST


def job_key(release_id: int) -> str:
    return f"{KIND}:{release_id}"


def schedule_release_files(session: Session, release: Release) -> None:
    """Queue the building of the release's files, in the publishing transaction. Flushes."""
    enqueue(
        session,
        kind=KIND,
        key=job_key(release.id),
        subject=f"Files of release {release.reference}",
        arguments={"release_id": release.id},
    )


def file_keys(release: Release) -> list[ReleaseFileKey]:
    """The keys of every file built at publication (the downloads ask for the same ones)."""
    return [
        *(ReleaseFileKey(release.id, release.fingerprint, kind) for kind in (*DOCUMENT_KINDS, *PACK_KINDS)),
        *(table_csv_key(release, table.code) for table in reading.table_definitions(release)),
    ]


def charts_key(release: Release) -> ReleaseFileKey:
    """The key of the summary's charts, drawn once for the release page (not a download, so not among
    `file_keys`): the page never draws them, which takes minutes at national scale."""
    return ReleaseFileKey(release.id, release.fingerprint, CHARTS_KIND)


def stored_charts(store: ReleaseFiles, release: Release) -> SummaryCharts | None:
    """The release's charts as the job kept them, or None when they are not drawn yet (or were cleared)."""
    from evidence_hub.services.releases.render.charts import SummaryCharts

    kept = store.open(charts_key(release))
    if kept is None:
        return None
    with kept:
        return SummaryCharts.from_json(kept.read())


def store_charts(store: ReleaseFiles, release: Release) -> bool:
    """Draw the release's charts and keep them, unless they are kept already; whether they were drawn."""
    kept = store.open(charts_key(release))
    if kept is not None:
        kept.close()
        return False

    def write_charts(target: BinaryIO) -> None:
        target.write(_charts(release, reading.summary_of(release)).to_json())

    store.store(charts_key(release), write_charts)
    return True


def table_csv_key(release: Release, table_code: str) -> ReleaseFileKey:
    """The key of one table's CSV (the download of /releases/<reference>/tables/<code>.csv)."""
    return ReleaseFileKey(release.id, release.fingerprint, f"{TABLE_KIND_PREFIX}{table_code}.csv")


def table_csv_writer(session: Session, release: Release, table_code: str) -> Callable[[BinaryIO], None]:
    """Writes the table as CSV, its rows read in batches from `session` as they are written."""
    from evidence_hub.services.releases.render.data_pack.csv_file import iter_csv

    definition = reading.table_definition(release, table_code)

    def write_table(target: BinaryIO) -> None:
        for chunk in iter_csv(definition.columns, reading.iter_rows(session, release, table_code)):
            target.write(chunk)

    return write_table


# The charts of the last release whose documents were built: the PDF and the Word document show the same
# charts, and drawing them takes as long as laying out either document (45 s at 150 sites), so the job
# draws them once for both. One release's worth, replaced by the next release's.
_charts_drawn: dict[tuple[int, str], SummaryCharts] = {}


def _charts(release: Release, summary: dict[str, Any]) -> SummaryCharts:
    from evidence_hub.services.releases.render.charts import summary_charts

    key = (release.id, release.fingerprint)
    if key not in _charts_drawn:
        _charts_drawn.clear()
        _charts_drawn[key] = summary_charts(summary)
    return _charts_drawn[key]


def _writer(session: Session, release: Release, key: ReleaseFileKey) -> Callable[[BinaryIO], None]:
    # Imported here: reportlab, python-docx and matplotlib are only loaded by processes that build files.
    from evidence_hub.services.releases.render.data_pack.xlsx import write_xlsx
    from evidence_hub.services.releases.render.data_pack.zip_file import write_zip
    from evidence_hub.services.releases.render.docx import summary_docx
    from evidence_hub.services.releases.render.pdf import summary_pdf

    if key.kind.startswith(TABLE_KIND_PREFIX):
        return table_csv_writer(
            session, release, key.kind.removeprefix(TABLE_KIND_PREFIX).removesuffix(".csv")
        )
    if key.kind in DOCUMENT_KINDS:
        render = summary_pdf if key.kind == "summary.pdf" else summary_docx

        def write_document(target: BinaryIO) -> None:
            summary = reading.summary_of(release)
            target.write(render(summary, charts=_charts(release, summary)))

        return write_document
    write_pack = write_xlsx if key.kind == "data-pack.xlsx" else write_zip

    def write_data_pack(target: BinaryIO) -> None:
        write_pack(reading.release_pack_source(session, release), target)

    return write_data_pack


@handles(KIND)
def build_release_files(session: Session, arguments: dict[str, Any], context: JobContext) -> None:
    """The job: build whichever of the release's files are not stored yet, recording each one's checksum."""
    store: ReleaseFiles = context.resources["release_files"]
    release = session.get_one(Release, int(arguments["release_id"]))
    release_id, keys = release.id, file_keys(release)
    # The charts first, for the release page; the documents then use the very charts drawn here.
    if store_charts(store, release):
        context.report_progress("charts drawn")
    for number, key in enumerate(keys, start=1):
        recorded = session.scalar(select(ReleaseFile.id).where(ReleaseFile.file_name == key.file_name))
        stored = store.open(key)
        if stored is not None:
            stored.close()
        if recorded is None or stored is None:
            sha256, size = _build(store, key, _writer(session, release, key))
            # SQLite: a transaction that has read may not write once another connection has written
            # meanwhile (a page view's audit record, during a build of seconds), so the reading
            # transaction ends here and the record is written in one that starts by writing.
            session.rollback()
            session.execute(delete(ReleaseFile).where(ReleaseFile.file_name == key.file_name))
            session.add(
                ReleaseFile(
                    release_id=release_id,
                    kind=key.kind,
                    file_name=key.file_name,
                    sha256=sha256,
                    size_bytes=size,
                )
            )
        session.commit()
        context.report_progress(f"{number} of {len(keys)} files built")


def _build(store: ReleaseFiles, key: ReleaseFileKey, write: Callable[[BinaryIO], None]) -> tuple[str, int]:
    """Write the file into the store; its SHA-256 and size, read back from what was written."""
    measured: list[tuple[str, int]] = []

    def write_and_measure(target: BinaryIO) -> None:
        write(target)
        target.flush()
        size = target.tell()
        target.seek(0)
        digest = hashlib.sha256()
        while chunk := target.read(CHUNK_BYTES):
            digest.update(chunk)
        measured.append((digest.hexdigest(), size))

    store.store(key, write_and_measure)
    return measured[0]


@dataclass(frozen=True)
class FilesProgress:
    """How far the building of a release's files has got, for the release page."""

    ready: int
    total: int
    status: JobStatus | None  # None: never queued (files are then built when first downloaded)

    @property
    def building(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING) and self.ready < self.total

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED


def files_progress(session: Session, release: Release, *, tables: int | None = None) -> FilesProgress:
    """`tables`: how many tables the release has, when the caller knows (saves reading its content)."""
    job_status = session.scalar(select(BackgroundJob.status).where(BackgroundJob.key == job_key(release.id)))
    ready = session.scalar(
        select(func.count()).select_from(ReleaseFile).where(ReleaseFile.release_id == release.id)
    )
    if tables is None:
        tables = len(reading.table_definitions(release))
    total = len(DOCUMENT_KINDS) + len(PACK_KINDS) + tables
    return FilesProgress(
        ready=min(ready or 0, total),
        total=total,
        status=JobStatus(job_status) if job_status else None,
    )


def ask_for_files(session: Session, release: Release) -> FilesProgress:
    """A reader asked for a file of the release that is not stored: make sure its files job will build it
    (queued again when its tries are spent, or when it finished and the store has since let the file go;
    it builds only the files missing), and say how far it has got. Flushes; the caller commits."""
    job = session.scalar(select(BackgroundJob).where(BackgroundJob.key == job_key(release.id)))
    if job is None:
        schedule_release_files(session, release)
    elif job.status == JobStatus.DONE.value or (
        job.status == JobStatus.FAILED.value and job.attempts >= MAX_ATTEMPTS
    ):
        queue_again(session, job)
    return files_progress(session, release)


def recorded_files(session: Session, release: Release) -> list[ReleaseFile]:
    return list(session.scalars(select(ReleaseFile).where(ReleaseFile.release_id == release.id)))
