"""Releases and downloads.

National officials browse published releases, read each learning summary and download it as a PDF, an
editable Word document, a data pack (XLSX or a zip of CSVs) or one table as CSV. Evaluators publish and
withdraw releases. Site leads download their own site's data, live and in every state, never a release
(a release holds every site's figures). Every download writes an audit record before any byte is sent.

A release's summary documents and data packs are rendered once and kept (services/releases/release_files.py);
rendering is bounded per person and for the whole service (render_slots.py), so that a crowd of downloads
never takes every worker.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from evidence_hub.db import transaction
from evidence_hub.downloads.forms import (
    ALL_VERSIONS,
    NO_ROUNDING,
    PublishReleaseForm,
    WithdrawReleaseForm,
)
from evidence_hub.downloads.render_slots import NoSlotFree, RenderSlots
from evidence_hub.guards import roles
from evidence_hub.models import Framework, Release, Role, Site
from evidence_hub.services.dashboards.scope import frameworks_with_periods, visible_sites
from evidence_hub.services.releases import prebuild, publication_job, publishing, reading, site_data
from evidence_hub.services.releases.publishing import NoApprovedData, ReleaseRequest
from evidence_hub.services.releases.reading import ReleaseUnavailable
from evidence_hub.services.releases.release_files import ReleaseFileKey, Writer
from evidence_hub.services.releases.release_page import (
    NO_CHARTS,
    RecentPages,
    ReleasePage,
    learning_page,
    release_page,
)
from evidence_hub.services.releases.render.charts import SummaryCharts, summary_charts
from evidence_hub.services.releases.render.data_pack.file_names import pack_filename, table_filename
from evidence_hub.services.releases.render.data_pack.xlsx import write_xlsx
from evidence_hub.services.releases.render.data_pack.zip_file import write_zip
from evidence_hub.services.releases.shared_release_files import ReleaseFiles
from evidence_hub.storage import release_file_store
from evidence_hub.web import SESSION_FACTORY_KEY, acting_user, db_session, pagination

downloads = Blueprint("downloads", __name__)

RELEASE_READERS = (Role.NATIONAL_OFFICIAL, Role.EVALUATOR, Role.ADMINISTRATOR)
PUBLISHERS = (Role.EVALUATOR, Role.ADMINISTRATOR)
SITE_DATA_READERS = (Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR)
REFERENCE = "<reference>"
PACK_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx),
    "zip": ("application/zip", write_zip),
}
DOCUMENT_FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Files larger than this are spooled to disk while they are written, so memory stays flat.
SPOOL_BYTES = 8 * 1024 * 1024
RECENT_CHARTS_KEY = "evidence_hub.recent_release_charts"
RECENT_PAGES_KEY = "evidence_hub.recent_release_pages"
# How long someone refused a render is asked to wait: about as long as a large render takes.
RENDER_RETRY_AFTER_SECONDS = 10
# A large release's file not built yet: its files job takes minutes.
PREPARING_RETRY_AFTER_SECONDS = 60
BUSY_FOR_YOU = (
    "Your other download is still being prepared",
    "We prepare one file at a time for each person. Wait until your other download has finished, then "
    "try again.",
)
BUSY_FOR_EVERYONE = (
    "Sorry, the service is busy preparing other downloads",
    "Try again in a minute. Files that have been downloaded before are ready straight away.",
)


class RecentCharts:
    """The charts of the last few releases read, by fingerprint, kept by the app.

    Drawing a summary's charts takes seconds of matplotlib a chart (minutes at national scale), and the
    page, the PDF and the Word document each need them; a release never changes, so they are drawn once
    per release, by the job that builds its files (prebuild.py), which keeps them in the release file
    store; a process reads them from there once.
    """

    kept = 8

    def __init__(self) -> None:
        self._charts: OrderedDict[str, SummaryCharts] = OrderedDict()
        self._lock = threading.Lock()

    def _keep(self, release: Release, charts: SummaryCharts) -> None:
        with self._lock:
            self._charts[release.fingerprint] = charts
            while len(self._charts) > self.kept:
                self._charts.popitem(last=False)

    def drawn(self, release: Release) -> SummaryCharts | None:
        """The release's charts if they have been drawn (by this process or the job), never drawing them."""
        with self._lock:
            charts = self._charts.get(release.fingerprint)
        if charts is None:
            charts = prebuild.stored_charts(_release_file_store(), release)
            if charts is not None:
                self._keep(release, charts)
        return charts

    def for_release(self, release: Release, summary: dict[str, Any]) -> SummaryCharts:
        """The release's charts, drawn now if nobody has drawn them yet (a document rendered on demand)."""
        charts = self.drawn(release)
        if charts is None:
            charts = summary_charts(summary)
            self._keep(release, charts)
        return charts


def _recent_charts() -> RecentCharts:
    return cast(RecentCharts, current_app.extensions.setdefault(RECENT_CHARTS_KEY, RecentCharts()))


def _charts(release: Release, summary: dict[str, Any]) -> SummaryCharts:
    return _recent_charts().for_release(release, summary)


def _page(found: Release) -> ReleasePage:
    """The release's page, worked out at its first reading in this process (a release never changes): only
    then is its content read. Its charts are the ones the release's job drew; until they are drawn the
    page has none (unless the release is small enough to draw them at once; if not, the job is asked to draw
    them), and is worked out again a little later."""
    recent = cast(RecentPages, current_app.extensions.setdefault(RECENT_PAGES_KEY, RecentPages()))

    def build() -> ReleasePage:
        summary = reading.summary_of(found)
        charts = _recent_charts().drawn(found)
        if charts is None and prebuild.built_in_a_request(found):
            charts = _charts(found, summary)
        elif charts is None:
            # Drawn by the release's job alone: made sure of, in case the store has let them go since.
            with transaction(db_session()) as session:
                prebuild.ask_for_files(session, found)
        return release_page(
            summary,
            charts or NO_CHARTS,
            reading.table_definitions(found),
            found.content.get("audit"),
            charts_drawn=charts is not None,
        )

    return recent.page(found.id, found.fingerprint, build)


def _release(reference: str, *, allow_withdrawn: bool = False, with_content: bool = True) -> Release:
    try:
        return reading.release_for(
            db_session(), acting_user(), reference, allow_withdrawn=allow_withdrawn, with_content=with_content
        )
    except ReleaseUnavailable as unavailable:
        abort(unavailable.status_code, description=str(unavailable))


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Browsing and reading -------------------------------------------------------------------------


@downloads.route("/releases/")
@roles(*RELEASE_READERS)
def index() -> str:
    """Every release the user may read, newest first."""
    user = acting_user()
    return render_template(
        "downloads/index.html",
        title="Releases",
        releases=reading.releases_for(db_session(), user),
        can_publish=user.role_enum in PUBLISHERS,
    )


@downloads.route(f"/releases/{REFERENCE}")
@roles(*RELEASE_READERS)
def release(reference: str) -> str | tuple[str, int]:
    """A release's learning summary as an official reads it first, with its downloads: its learning
    entries are counted, and read on the learning pages; long tables show their first rows."""
    can_withdraw = acting_user().role_enum in PUBLISHERS
    found = _release(reference, allow_withdrawn=can_withdraw, with_content=False)
    if found.is_withdrawn:
        return render_template(
            "downloads/withdrawn.html", title=f"Release {found.reference} was withdrawn", release=found
        ), 410
    page = _page(found)
    with transaction(db_session()) as session:
        reading.record_download(session, acting_user(), found, "summary page")
    return render_template(
        "downloads/release.html",
        title=f"{found.title} ({found.reference})",
        release=found,
        page=page,
        tables=page.table_definitions,
        summary_contents=_rendered_once(page, found, "contents"),
        summary_blocks=_rendered_once(page, found, "blocks"),
        can_withdraw=can_withdraw,
        audit=page.audit,
        audit_detail=can_withdraw,
        files=prebuild.files_progress(db_session(), found, tables=len(page.table_definitions))
        if can_withdraw
        else None,
        files_built_on_download=prebuild.built_in_a_request(found),
    )


def _rendered_once(page: ReleasePage, found: Release, part: str) -> Markup:
    """A part of the learning summary as HTML, rendered at its first reading in this process: its blocks
    are the same for every reader, and rendering them is most of the page's work."""
    html = page.rendered.get(part)
    if html is None:
        html = render_template(
            "downloads/_summary.html",
            part=part,
            release=found,
            blocks=page.blocks,
            block_kind=lambda block: type(block).__name__,
        )
        page.rendered[part] = html
    return Markup(html)  # noqa: S704  (rendered by our own autoescaping template)


@downloads.route(f"/releases/{REFERENCE}/learning")
@roles(*RELEASE_READERS)
def learning(reference: str) -> str:
    """The learning entries a release quotes, fifty a page: all of them, or one theme's, dimension's or
    the recommendations' (`?group=`)."""
    found = _release(reference, with_content=False)
    page = _page(found)
    group_key = request.args.get("group") or None
    if group_key is not None and page.group(group_key) is None:
        abort(404, description=f"Release {found.reference} has no learning by that name.")
    shown = learning_page(page, group_key, request.args.get("page", 1, type=int))
    with transaction(db_session()) as session:
        reading.record_download(
            session, acting_user(), found, "learning page", group=group_key or "all", page=shown.number
        )
    title = shown.group.label if shown.group else "All learning"
    return render_template(
        "downloads/learning.html",
        title=f"{title}, page {shown.number} of {shown.pages} ({found.reference})",
        heading=title,
        release=found,
        page=page,
        shown=shown,
        group_key=group_key,
        pages=pagination(
            shown.number,
            shown.pages,
            lambda number: url_for(
                "downloads.learning", reference=found.reference, group=group_key, page=number
            ),
        ),
    )


@downloads.route(f"/releases/{REFERENCE}/charts/<int:number>.png")
@roles(*RELEASE_READERS)
def release_chart(reference: str, number: int) -> Response:
    """One of the release page's charts, drawn once per release (its alternative text and its table are on
    the page)."""
    found = _release(reference, with_content=False)
    charts = _page(found).charts
    if number >= len(charts):
        abort(404, description=f"Release {found.reference} has no chart {number}.")
    return Response(charts[number].png, mimetype="image/png")


@downloads.route(f"/releases/{REFERENCE}/summary.<file_format>")
@roles(*RELEASE_READERS)
def summary_document(reference: str, file_format: str) -> BaseResponse:
    """The learning summary as a PDF or an editable Word document, stating its release on every page."""
    if file_format not in DOCUMENT_FORMATS:
        abort(404)
    # Imported here: reportlab and python-docx are only loaded by workers that render a document.
    from evidence_hub.services.releases.render.docx import summary_docx
    from evidence_hub.services.releases.render.pdf import summary_pdf

    found = _release(reference)
    render = summary_pdf if file_format == "pdf" else summary_docx

    def write(target: BinaryIO) -> None:
        summary = reading.summary_of(found)
        target.write(render(summary, charts=_charts(found, summary)))

    key = ReleaseFileKey(found.id, found.fingerprint, f"summary.{file_format}")
    rendered = _release_file(found, key, write)
    if isinstance(rendered, BaseResponse):
        return rendered
    with transaction(db_session()) as session:
        reading.record_download(session, acting_user(), found, f"summary {file_format}")
    return _file_response(
        rendered,
        DOCUMENT_FORMATS[file_format],
        f"evidence-hub-{found.reference}-learning-summary.{file_format}",
    )


@downloads.route(f"/releases/{REFERENCE}/data-pack.<file_format>")
@roles(*RELEASE_READERS)
def data_pack_download(reference: str, file_format: str) -> BaseResponse:
    """The release's aggregated tables, data dictionary and notes, as a workbook or a zip of CSVs."""
    if file_format not in PACK_FORMATS:
        abort(404)
    found = _release(reference, with_content=False)
    release_id = found.id
    rendered = _release_file(
        found,
        ReleaseFileKey(release_id, found.fingerprint, f"data-pack.{file_format}"),
        _pack_writer(
            lambda session: reading.release_pack_source(session, session.get_one(Release, release_id)),
            file_format,
        ),
    )
    if isinstance(rendered, BaseResponse):
        return rendered
    with transaction(db_session()) as session:
        reading.record_download(session, acting_user(), found, f"data pack {file_format}")
    return _file_response(rendered, PACK_FORMATS[file_format][0], pack_filename(found.reference, file_format))


@downloads.route(f"/releases/{REFERENCE}/tables/<table_code>.csv")
@roles(*RELEASE_READERS)
def table_csv(reference: str, table_code: str) -> BaseResponse:
    """One of the release's tables as CSV: the file built at publication, streamed as it is stored."""
    found = _release(reference, with_content=False)
    key = prebuild.table_csv_key(found, table_code)
    # A file stored under this key is the table's (the key names the table): sent without reading the
    # release's content, which only a file still to be built needs.
    rendered = _release_file_store().open(key)
    if rendered is None:
        try:
            table = reading.table_definition(found, table_code)
        except ReleaseUnavailable as unknown:
            abort(404, description=str(unknown))
        release_id = found.id
        factory = cast(sessionmaker[Session], current_app.extensions[SESSION_FACTORY_KEY])

        def write(target: BinaryIO) -> None:
            # Only when the file was not built at publication (its job not run yet): built now, and kept.
            with factory() as session:
                released = session.get_one(Release, release_id)
                prebuild.table_csv_writer(session, released, table.code)(target)

        built = _release_file(found, key, write)
        if isinstance(built, BaseResponse):
            return built
        rendered = built
    with transaction(db_session()) as session:
        reading.record_download(session, acting_user(), found, "table csv", table=table_code)
    response = _file_response(rendered, "text/csv", table_filename(found.reference, table_code))
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    return response


def _pack_writer(source: Callable[[Session], Any], file_format: str) -> Writer:
    """Writes the pack from `source`, read on a session of its own."""
    write = PACK_FORMATS[file_format][1]
    factory = cast(sessionmaker[Session], current_app.extensions[SESSION_FACTORY_KEY])

    def write_pack(target: BinaryIO) -> None:
        with factory() as session:
            write(source(session), target)

    return write_pack


def _release_file_store() -> ReleaseFiles:
    return release_file_store()


def _render_slots() -> RenderSlots:
    return RenderSlots(
        Path(current_app.instance_path) / "render-slots",
        per_user=int(current_app.config["RENDERS_PER_USER"]),
        at_once=int(current_app.config["RENDERS_AT_ONCE"]),
    )


def _release_file(release: Release, key: ReleaseFileKey, write: Writer) -> BinaryIO | BaseResponse:
    """The release's file as stored; for a small release not stored yet, rendered now within the render
    limits (a page saying when to try again when every slot is taken); for a larger one, a page saying it is
    being prepared, its files job made sure of."""
    store = _release_file_store()
    kept = store.open(key)
    if kept is not None:
        return kept
    if not prebuild.built_in_a_request(release):
        return _being_prepared(release)
    try:
        with _render_slots().taken(acting_user().id, key.file_name):
            return store.open_or_build(key, write)
    except NoSlotFree as busy:
        return _busy(busy)


def _rendered_within_limits(write: Writer) -> BinaryIO | BaseResponse:
    """A file that cannot be kept (live data), rendered now within the render limits, spooled to a temporary
    file so that a large one stays out of memory."""
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (closed by the response)
    try:
        with _render_slots().taken(acting_user().id, f"live-{id(spooled)}"):
            write(cast(BinaryIO, spooled))
    except NoSlotFree as busy:
        spooled.close()
        return _busy(busy)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return cast(BinaryIO, spooled)


def _being_prepared(release: Release) -> BaseResponse:
    with transaction(db_session()) as session:
        files = prebuild.ask_for_files(session, release)
    page = render_template(
        "errors/error.html",
        title="This file is being prepared",
        message=(
            f"The files of release {release.reference} are built once, after it is published, and this one "
            f"is not ready yet ({files.ready} of {files.total} files are ready). Try again in a few minutes."
        ),
        back=(
            url_for("downloads.release", reference=release.reference),
            f"Back to release {release.reference}",
        ),
        status=503,
    )
    return Response(page, status=503, headers={"Retry-After": str(PREPARING_RETRY_AFTER_SECONDS)})


def _busy(busy: NoSlotFree) -> BaseResponse:
    title, message = BUSY_FOR_YOU if busy.for_user else BUSY_FOR_EVERYONE
    status = 429 if busy.for_user else 503
    page = render_template("errors/error.html", title=title, message=message, status=status)
    return Response(page, status=status, headers={"Retry-After": str(RENDER_RETRY_AFTER_SECONDS)})


def _file_response(file: BinaryIO, mimetype: str, filename: str) -> Response:
    """Stream an open file as an attachment, closing it when sent."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    response = Response(_read_in_chunks(file), mimetype=mimetype)
    response.headers["Content-Length"] = str(size)
    response.call_on_close(file.close)
    return _attachment(response, filename)


def _read_in_chunks(file: IO[bytes], chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    while chunk := file.read(chunk_size):
        yield chunk


# --- Publishing and withdrawing ---------------------------------------------------------------------


def _framework_from_address() -> Framework:
    """The framework the address names (`?framework=`), or the first with reporting periods."""
    frameworks = frameworks_with_periods(db_session(), acting_user())
    wanted = request.args.get("framework")
    framework = next((each for each in frameworks if each.code == wanted), None) if wanted else None
    if framework is None and not wanted and frameworks:
        framework = frameworks[0]
    if framework is None:
        abort(404, description="There is no framework with reporting periods by that name.")
    return framework


@downloads.route("/releases/new", methods=["GET", "POST"])
@roles(*PUBLISHERS)
def publish() -> str | BaseResponse:
    """Publish a release: choose the framework version, periods and sites, and the disclosure rules."""
    session = db_session()
    framework = _framework_from_address()
    minimum = int(current_app.config["DISCLOSURE_THRESHOLD"])
    form = PublishReleaseForm(minimum_threshold=minimum)
    published_versions = [version for version in framework.versions if version.status != "draft"]
    periods = list(framework.reporting_periods)
    # The sites taking part in the framework's programme.
    sites = [site for site in visible_sites(session, acting_user(), framework) if site.is_active]
    form.version.choices = [SelectChoice(ALL_VERSIONS, "Every published version")] + [
        SelectChoice(str(version.version), f"Version {version.version} only")
        for version in published_versions
    ]
    form.period_from.choices = [SelectChoice(period.code, period.name) for period in periods]
    form.period_to.choices = [SelectChoice(period.code, period.name) for period in periods]
    form.sites.choices = [SelectChoice(site.code, site.name) for site in sites]
    if request.method == "GET":
        form.version.data = ALL_VERSIONS
        form.period_from.data = periods[0].code
        form.period_to.data = periods[-1].code
        form.sites.data = [site.code for site in sites]
        form.threshold.data = minimum
        round_to = int(current_app.config["DISCLOSURE_ROUND_TO"])
        form.rounding.data = str(round_to) if round_to else NO_ROUNDING
        form.title.data = f"{framework.name}: learning to date"
    if form.validate_on_submit():
        by_code = {period.code: period for period in periods}
        version = next((each for each in published_versions if str(each.version) == form.version.data), None)
        try:
            with transaction(session):
                queued = publication_job.queue_publication(
                    session,
                    ReleaseRequest(
                        actor=acting_user(),
                        framework=framework,
                        version=version,
                        period_from=by_code[form.period_from.data],
                        period_to=by_code[form.period_to.data],
                        sites=[site for site in sites if site.code in set(form.sites.data or [])],
                        title=form.title.data.strip(),
                        threshold=cast(int, form.threshold.data),
                        round_to=None if form.rounding.data == NO_ROUNDING else int(form.rounding.data),
                    ),
                )
        except NoApprovedData as nothing:
            form.period_from.errors = [str(nothing)]
        else:
            return redirect(url_for("downloads.publication", job_id=queued.id))
    return render_template(
        "downloads/publish.html", title="Publish a release", form=form, framework=framework
    )


@downloads.route("/releases/publishing/<int:job_id>")
@roles(*PUBLISHERS)
def publication(job_id: int) -> str:
    """How far a publication has got: each step with its counts, then the release, or why it was refused."""
    session = db_session()
    try:
        job = publication_job.publication_for(session, acting_user(), job_id)
    except publication_job.PublicationNotFound as missing:
        abort(404, description=str(missing))
    progress = publication_job.publication_progress(session, job)
    if progress.refused:
        title = "The release was not published"
    elif progress.reference:
        title = f"Release {progress.reference} is published"
    else:
        title = "Publishing the release"
    return render_template(
        "downloads/publication.html",
        title=title,
        progress=progress,
        framework_code=session.get_one(Framework, job.arguments["framework_id"]).code,
    )


@downloads.route(f"/releases/{REFERENCE}/withdraw", methods=["GET", "POST"])
@roles(*PUBLISHERS)
def withdraw(reference: str) -> str | BaseResponse:
    """Withdraw a release that should no longer be relied on; its content is kept for the record."""
    found = _release(reference)
    form = WithdrawReleaseForm()
    if form.validate_on_submit():
        with transaction(db_session()) as session:
            publishing.withdraw_release(
                session, actor=acting_user(), release=found, reason=form.reason.data.strip()
            )
        flash(f"Release {found.reference} is withdrawn.", "success")
        return redirect(url_for("downloads.index"))
    return render_template(
        "downloads/withdraw.html", title=f"Withdraw release {found.reference}", form=form, release=found
    )


# --- A site's own data ------------------------------------------------------------------------------


def _site(site_code: str) -> Site:
    try:
        return site_data.site_for(db_session(), acting_user(), site_code)
    except LookupError:
        abort(404)


@downloads.route("/site-data/<site_code>")
@roles(*SITE_DATA_READERS)
def site_downloads(site_code: str) -> str:
    """A site's own data: every return in every state, for the site's own use."""
    site = _site(site_code)
    return render_template(
        "downloads/site.html",
        title=f"Download {site.name}'s data",
        site=site,
        frameworks=frameworks_with_periods(db_session(), acting_user()),
    )


@downloads.route("/site-data/<site_code>/data-pack.<file_format>")
@roles(*SITE_DATA_READERS)
def site_data_pack(site_code: str, file_format: str) -> BaseResponse:
    """The site's own data pack, live (it changes with every edit, so it is rendered for each download)."""
    if file_format not in PACK_FORMATS:
        abort(404)
    site = _site(site_code)
    framework = _framework_from_address()
    user_id, site_id, framework_id = acting_user().id, site.id, framework.id
    rendered = _rendered_within_limits(
        _pack_writer(
            lambda session: site_data.site_pack_source(session, user_id, site_id, framework_id), file_format
        )
    )
    if isinstance(rendered, BaseResponse):
        return rendered
    with transaction(db_session()) as session:
        site_data.record_site_download(session, acting_user(), site, framework, file_format)
    return _file_response(rendered, PACK_FORMATS[file_format][0], pack_filename(site.code, file_format))
