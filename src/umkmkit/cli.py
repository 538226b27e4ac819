"""The `umkmkit` command: one verb per step, each handing its arguments to one function."""

from __future__ import annotations

import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from umkmkit.errors import UmkmkitError
from umkmkit.workspace import ensure_scripts_on_path, find_kit

console = Console(stderr=True, soft_wrap=True)


@contextmanager
def progress_bar():
    """A progress display whose tasks are created on first use, one per phase.

    Into a log file or a pipe (not a terminal) it writes whole lines instead: each phase's start,
    every quarter and its end, never cut to a terminal's width.
    """
    if not console.is_terminal:
        shown: dict[str, int] = {}

        def log(phase: str, done: int, total: int, label: str) -> None:
            quarter = 4 * done // total if total else 4
            if done in (0, total) or quarter > shown.get(phase, -1):
                shown[phase] = quarter
                click.echo(f"[{phase}] {done}/{total} {label}".rstrip(), err=True)

        yield log
        return
    with Progress(
        TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("[dim]{task.fields[label]}"), TimeElapsedColumn(),
        console=console, transient=False,
    ) as progress:
        tasks: dict[str, int] = {}

        def update(phase: str, done: int, total: int, label: str) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total, label="")
            progress.update(tasks[phase], completed=done, total=total, label=label)

        yield update


class KitGroup(click.Group):
    """Prints UmkmkitError as a plain message (no traceback) and exits 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UmkmkitError as error:
            console.print(f"[bold red]Error:[/] {error}", markup=True, highlight=False)
            sys.exit(1)


@click.group(cls=KitGroup)
@click.version_option(package_name="umkmkit")
@click.option("-v", "--verbose", is_flag=True, help="Show everything the kit logs (default: warnings only).")
def main(verbose: bool) -> None:
    """umkmkit: lessons, graded exercises and cohort tooling for UMKM training in Manokwari."""
    from umkmkit.logs import show_on_screen

    show_on_screen(verbose)
    ensure_scripts_on_path()
    # nbgrader 0.9 on SQLAlchemy 2 warns about its own session use while grading; not actionable.
    warnings.filterwarnings("ignore", message=".*not in session.*", module="nbgrader")


@main.command()
@click.argument("assignments", nargs=-1)
def build(assignments: tuple[str, ...]) -> None:
    """For course authors: build exercises/ from solutions/ (all assignments, or those named).

    Copies each assignment's data files from datasets/, stamps the participant header into
    each solution, runs every solution notebook against all its tests (stopping with the
    failing cells), then runs nbgrader generate_assignment into exercises/.
    """
    from umkmkit.course.curriculum import build as build_exercises, load_curriculum

    kit = find_kit()
    with progress_bar() as update:
        built = build_exercises(
            kit, load_curriculum(kit), on_progress=lambda d, t, what: update("build", d, t, what),
            assignment_ids=list(assignments) or None,
        )
    for folder in built:
        click.echo(f"built {folder.relative_to(kit.root).as_posix()}/")


@main.command()
@click.argument("assignments", nargs=-1)
def verify(assignments: tuple[str, ...]) -> None:
    """For course authors: prove with real nbgrader that assignments grade as intended.

    Grades, in a throw-away cohort, the solution (must earn every autograded point), the
    untouched exercise (must score 0) and one submission per mistake in kesalahan.yml (each
    must lose points on the test it names). Run `umkmkit build` first.
    """
    from umkmkit.course.curriculum import load_curriculum
    from umkmkit.grading.verification import verify_assignments

    kit = find_kit()
    curriculum = load_curriculum(kit)
    with progress_bar() as update:
        results = verify_assignments(
            kit, curriculum, list(assignments) or None, on_progress=lambda d, t, sid: update("grading", d, t, sid),
        )
    problems = []
    for assignment_id, result in results.items():
        challenge = result.solution.challenge_max
        click.echo(
            f"{assignment_id}: solution {result.solution.score:g}/{result.solution.auto_max:g}"
            + (f" (of which {challenge:g} optional challenge points)" if challenge else "")
            + f", untouched {result.untouched.score:g}, {len(result.mistakes)} catalogued mistakes"
        )
        for mistake, graded in result.mistakes.values():
            click.echo(f"  {mistake.id:<32} {graded.score:g}/{result.solution.auto_max:g}  ({mistake.test})")
        problems += [f"{assignment_id}: {p}" for p in result.problems()]
    if problems:
        raise UmkmkitError("Assignments do not grade as intended:\n  " + "\n  ".join(problems))
    click.echo("Every assignment grades as intended.")


@main.command()
def check() -> None:
    """For course authors: check that curriculum.yml, the folders and the lessons' minutes agree."""
    from umkmkit.course.curriculum import curriculum_problems, load_curriculum

    kit = find_kit()
    problems = curriculum_problems(kit, load_curriculum(kit))
    if problems:
        raise UmkmkitError("curriculum.yml and the folders disagree:\n  " + "\n  ".join(problems))
    click.echo("curriculum.yml and the folders agree.")


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write to (default: the kit's datasets/).")
@click.option("--seed", type=int, default=None, help="Seed of the generator (default: the kit's seed).")
def datasets(out: Path | None, seed: int | None) -> None:
    """For course authors: regenerate the synthetic data sets (same seed, same bytes)."""
    from umkmkit import datasets as generator

    kit = find_kit()
    written = generator.generate(out or kit.datasets_dir, seed=generator.SEED if seed is None else seed)
    click.echo(f"wrote {len(written)} files to {(out or kit.datasets_dir)}")


@main.command()
@click.option("--trainees", type=click.IntRange(min=1), default=None,
              help="How many trainees of each 2022 roster to simulate (up to 100 each; default: the demo's usual sample).")
@click.option("--full", is_flag=True,
              help="Both 2022 cohorts with all their trainees (200 enrolments, 1,400 notebooks; a long run).")
def demo(trainees: int | None, full: bool) -> None:
    """For newcomers: run two workshops' whole cycle on synthetic trainees in workspace/demo/.

    For the June and the August 2022 cohorts: creates the cohort course with its own gradebook,
    hands out the exercises, simulates the trainees' notebooks (correct, with typical mistakes,
    blank, one late) coming back under WhatsApp-style names, collects them, grades them with
    nbgrader and writes feedback. Trainees in both cohorts retake in August what they failed in
    June. Ends with the coordinator's report. Safe to run again: the previous demo is replaced.
    """
    from umkmkit.course.curriculum import load_curriculum
    from umkmkit.demo import feedback_dirs, run_demo

    kit = find_kit()
    with progress_bar() as update:
        given = {"trainees": trainees} if trainees is not None else {}  # else run_demo's own default
        result = run_demo(kit, load_curriculum(kit), on_progress=update, full=full, **given)
    click.echo("")
    headline = result.report.headline
    click.echo(f"Demo: {len(result.cohorts)} cohorts, {headline['people']} trainees graded by nbgrader; "
               f"{headline['passed_all']} passed every module.")
    for cohort_id, people in result.retakes.items():
        if people:
            click.echo(f"  {cohort_id}: {len(people)} trainees came back to retake failed modules")
    failed = [t for summary in result.grading for t in summary.failed]
    if failed:
        click.echo(f"  could not grade: {', '.join(failed)}")
    for cohort, feedback in zip(result.cohorts, feedback_dirs(result)):
        click.echo(f"Course directory and gradebook: {cohort.root}")
        click.echo(f"Feedback for each trainee:      {feedback}")
    _echo_report(result.report)


def _echo_report(written) -> None:
    click.echo(f"Laporan koordinator (buka di peramban) / coordinator's report: {written.index}")
    click.echo(f"  {written.workbook.name}, {written.ledger_csv.name}, {written.invitations_csv.name}, "
               f"{len(written.certificates)} sertifikat di sertifikat/ ({len(written.new_certificates)} baru terbit), "
               f"{len(written.trainee_pages)} lembar peserta di peserta/")
    for trainee_id, why in sorted(written.refused_certificates.items()):
        click.echo(f"  Sertifikat {trainee_id} belum dibuat (certificate not made): {why}")


@main.command()
@click.option("--cohort", "cohort_ids", multiple=True, metavar="ID",
              help="Report only this cohort (repeat for several). Default: every cohort.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of index.html (trainee sheets and certificates are always Indonesian).")
@click.option("--capacity", type=click.IntRange(min=0), default=None,
              help="How many UMKM the next cohort can take: cuts undangan.csv to that many.")
@click.option("--priority", default=None, metavar="LIST",
              help="Invitation order, most important first, e.g. 'distrik,muda' (criteria: sektor, "
                   "distrik, muda; default sektor,distrik,muda).")
@click.option("--registry", "registry_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The office's UMKM registry (CSV). Default: the kit's datasets/umkm.csv.")
@click.option("--workspace", "workspace_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder whose cohorts/ to report on (default: the kit's workspace/; the demo's: workspace/demo).")
def report(cohort_ids: tuple[str, ...], lang: str, capacity: int | None, priority: str | None,
           registry_file: Path | None, workspace_dir: Path | None) -> None:
    """For coordinators: progress across cohorts and whom to invite next, offline.

    Writes workspace/reports/<today>/: index.html (one page, charts included, opens from a USB
    stick), progres.xlsx, progres.csv, undangan.csv, sertifikat/ and peserta/.
    """
    from umkmkit.course.curriculum import load_curriculum
    from umkmkit.ledger.invitations import DEFAULT_PRIORITY, parse_priority
    from umkmkit.report.build import build_report, require_cohorts
    from umkmkit.workspace import Workspace

    kit = find_kit()
    workspace = Workspace(workspace_dir.resolve()) if workspace_dir else kit.workspace
    require_cohorts(workspace, kit)
    with progress_bar() as update:
        written = build_report(
            workspace, kit, load_curriculum(kit), cohort_ids=list(cohort_ids) or None, lang=lang,
            capacity=capacity, priority=parse_priority(priority) if priority else DEFAULT_PRIORITY,
            registry_file=registry_file, on_progress=update,
        )
    _echo_report(written)


@main.command()
def agenda() -> None:
    """For trainers: the workshop agenda from curriculum.yml's minutes and days (hari_pelatihan).

    Pre-test first, each module's lessons and exercise, breaks and lunch, post-test last; at
    most six teaching hours a day. Writes it into docs/trainer-guide.md and prints it.
    """
    from umkmkit.course.agenda import write_agenda
    from umkmkit.course.curriculum import load_curriculum

    kit = find_kit()
    click.echo(write_agenda(load_curriculum(kit), kit.root / "docs" / "trainer-guide.md"))


@main.command()
@click.option("--trainer", "cohort_id", metavar="COHORT", default=None,
              help="Serve this cohort's course with nbgrader's formgrader and course tools, for its trainer.")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port (default: 8888 for participants, 8890 with --trainer).")
@click.option("--ip", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets others on the same Wi-Fi connect.")
def lab(cohort_id: str | None, port: int | None, ip: str) -> None:
    """For trainers: start JupyterLab, in Indonesian and offline, until Ctrl+C.

    Without --trainer: the participants' folder workspace/lab/peserta/ (lessons, latihan/,
    data sets and the welcome notebook MULAI-DI-SINI.ipynb; never solutions or cohorts), with
    nbgrader's Validate button ("Periksa") and without its assignment list (work goes back by USB
    stick) or trainer tools; every menu and dialog in Indonesian (umkmkit.room.lab_language). Prints the
    URL with its token (set JUPYTER_TOKEN to choose the token) and, with --ip 0.0.0.0, the
    addresses others in the room open.
    """
    from umkmkit.course.curriculum import load_curriculum
    from umkmkit.room.lab import run_lab

    kit = find_kit()
    run_lab(kit, load_curriculum(kit), trainer=cohort_id, ip=ip, port=port,
            on_ready=lambda lines: click.echo("\n".join(lines)))
    click.echo("JupyterLab stopped.")


@main.command("hub-config")
@click.argument("cohort_ids", nargs=-1, required=True, metavar="COHORT...")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write (default: the workspace's hub/).")
@click.option("--password", default=None, hidden=True,
              help="Refused: participants no longer share a password (kept to say so to old scripts).")
@click.option("--trainer", "trainer_specs", multiple=True, metavar="NAME[=COHORT,...]",
              help="A trainer's login and the cohorts they grade (default: all); repeat for several. "
                   "Default: one trainer, pelatih.")
@click.option("--ip", default="0.0.0.0", show_default=True, help="Address participants connect to.")
@click.option("--port", type=click.IntRange(1, 65000), default=8000, show_default=True,
              help="Port participants open; the hub also uses port+1, port+81 and port+100... on 127.0.0.1.")
def hub_config(cohort_ids: tuple[str, ...], out: Path | None, password: str | None,
               trainer_specs: tuple[str, ...], ip: str, port: int) -> None:
    """For a room server (Linux): write a JupyterHub configuration with one nbgrader course per cohort.

    Participants log in with their trainee id and a password each sets at first login (slips to
    print: `umkmkit hub-slips`); each gets a Unix account and their own server. Trainers open each cohort's formgrader at /services/<cohort>/.
    Run the hub as root with the command printed at the end. See docs/deployment.md.
    """
    from umkmkit.room.hub import write_hub_config

    trainers = {}
    for spec in trainer_specs:
        name, _, cohorts = spec.partition("=")
        trainers[name.strip()] = [c.strip() for c in cohorts.split(",") if c.strip()] or None
    room = write_hub_config(find_kit(), list(cohort_ids), out, password=password, trainers=trainers or None,
                            ip=ip, port=port)
    click.echo(f"Room server written to {room.folder}")
    for cohort_id, names in room.participants.items():
        click.echo(f"  {cohort_id}: {len(names)} participants (log in with their trainee id), "
                   f"formgrader at {room.url}/services/{cohort_id}/")
    click.echo(f"Participants' password: {room.participant_password}")
    for name, cohorts in room.trainers.items():
        click.echo(f"Trainer {name} ({', '.join(cohorts)}): password in {room.folder / 'secrets.json'}")
    click.echo("Start it as root: sudo " + " ".join(room.command()))


@main.command("hub-slips")
@click.argument("cohort_id")
@click.option("--hub", "hub_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The room server's folder (default: the workspace's hub/).")
@click.option("--url", default=None,
              help="The address participants open, e.g. http://192.168.1.10:8000 (default: the hub's).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The page to write (default: slip-masuk-COHORT.html in the hub's folder).")
def hub_slips(cohort_id: str, hub_dir: Path | None, url: str | None, out: Path | None) -> None:
    """Untuk pelatih: slip masuk server kelas per peserta (ID, alamat, cara membuat kata sandi), untuk dicetak.

    For trainers: a page of login slips for a cohort on the room server, one per participant:
    their name, login (trainee id), the hub's address, and that they choose their own password
    at first login. Open it in a browser and print it.
    """
    from umkmkit.room.hub import write_login_slips

    slips = write_login_slips(find_kit(), cohort_id, hub_dir, out=out, url=url)
    click.echo(f"Slip masuk untuk {len(slips.participants)} peserta {cohort_id}, alamat {slips.url}: {slips.file}")
    click.echo("Buka di browser, cetak, gunting. (Open in a browser and print; only its owner can read the file.)")


@main.command("hub-reset-password")
@click.argument("cohort_id")
@click.argument("trainee_id")
@click.option("--hub", "hub_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The room server's folder (default: the workspace's hub/).")
def hub_reset_password(cohort_id: str, trainee_id: str, hub_dir: Path | None) -> None:
    """Untuk pelatih: kosongkan kata sandi peserta di server kelas; ia membuat yang baru saat masuk lagi.

    For trainers: clear a participant's password on the running room server (as root), e.g. when
    they forgot it or someone else chose it first. It also logs them out everywhere and stops
    their server; their files and submissions stay. They set a new password at their next login.
    """
    from umkmkit.room.hub import reset_participant_password

    reset = reset_participant_password(find_kit(), cohort_id, trainee_id, hub_dir)
    stopped = " Servernya dihentikan; berkasnya tetap ada." if reset.server_stopped else ""
    click.echo(f"Kata sandi {reset.name} ({reset.cohort_id}) dikosongkan: semua sesinya berakhir, dan ia membuat "
               f"kata sandi baru saat masuk lagi.{stopped}")
    click.echo(f"(Password of {reset.name} cleared: logged out everywhere; they set a new one at their next login.)")


@main.group()
def cohort() -> None:
    """For trainers: cohorts, each one nbgrader course with its own gradebook."""


@cohort.command("create")
@click.argument("cohort_id")
@click.option("--roster", "roster_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The trainees, as CSV with the columns of datasets/roster-mkw-2022-06.csv.")
@click.option("--db-url", default=None,
              help="Gradebook database, one per cohort, e.g. postgresql://user@server/mkw_2022_06 "
                   "(default: SQLite in the cohort folder). Keep passwords in ~/.pgpass, not here.")
@click.option("--exchange-root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="nbgrader's exchange folder, for rooms with a network (default: nbgrader's).")
def cohort_create(cohort_id: str, roster_file: Path, db_url: str | None, exchange_root: Path | None) -> None:
    """For trainers: create a cohort from its roster, e.g. `cohort create mkw-2022-06 --roster peserta.csv`.

    The roster is checked first (columns, ids against the registry datasets/umkm.csv, sektor,
    distrik, kohort); a bad roster is refused with the line and column of each problem and
    nothing is written. Save it from Excel as 'CSV UTF-8'.
    """
    from umkmkit.cohort.cohorts import create_cohort, roster
    from umkmkit.course.curriculum import load_curriculum

    kit = find_kit()
    created = create_cohort(
        kit, load_curriculum(kit), kit.workspace, cohort_id, roster_file,
        db_url=db_url, exchange_root=exchange_root, on_note=click.echo,
    )
    click.echo(f"Created cohort {cohort_id} with {len(roster(created))} trainees: {created.root}")


@main.group()
def checklist() -> None:
    """Untuk pelatih: ceklis yang ditunjukkan peserta di HP-nya (modul tanpa nilai, misalnya 05).

    For trainers: tick what each participant showed on their phone (curriculum.yml `ceklis:`),
    kept in the cohort folder's ceklis.csv. Items are named by id or by their number in `show`.
    """


@checklist.command("show")
@click.argument("cohort_id")
def checklist_show(cohort_id: str) -> None:
    """Tabel ceklis kohort: v = sudah ditunjukkan, - = belum (the checklist of a cohort)."""
    from umkmkit.cohort.checklist import checklist_table, checklist_text
    from umkmkit.course.curriculum import load_curriculum

    kit = find_kit()
    curriculum = load_curriculum(kit)
    click.echo(checklist_text(checklist_table(kit.workspace.cohort(cohort_id), curriculum), curriculum))


@checklist.command("tick")
@click.argument("cohort_id")
@click.argument("trainee_id")
@click.argument("items", nargs=-1, required=True, metavar="ITEM...")
@click.option("--tanggal", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Hari peserta menunjukkannya, YYYY-MM-DD (default: hari ini).")
@click.option("--pelatih", default="", help="Nama pelatih yang mencentang (boleh kosong).")
def checklist_tick(cohort_id: str, trainee_id: str, items: tuple[str, ...], tanggal, pelatih: str) -> None:
    """Centang hal yang sudah ditunjukkan peserta (tick what a trainee showed).

    Contoh: `umkmkit checklist tick mkw-2022-06 P-00003 profil-bisnis 2` (id atau nomor hal di `show`).
    """
    from umkmkit.cohort.checklist import tick
    from umkmkit.course.curriculum import load_curriculum

    kit = find_kit()
    done = tick(kit.workspace.cohort(cohort_id), load_curriculum(kit), trainee_id, list(items),
                when=tanggal, trainer=pelatih)
    click.echo(f"{done.trainee_id} ({done.name}): dicentang {', '.join(done.changed) or '-'}"
               + (f"; sudah dicentang sebelumnya: {', '.join(done.unchanged)}" if done.unchanged else "")
               + f". Selesai {done.done} dari {done.total} hal.")


@checklist.command("untick")
@click.argument("cohort_id")
@click.argument("trainee_id")
@click.argument("items", nargs=-1, required=True, metavar="ITEM...")
def checklist_untick(cohort_id: str, trainee_id: str, items: tuple[str, ...]) -> None:
    """Hapus centang yang keliru (take back a tick made by mistake)."""
    from umkmkit.cohort.checklist import untick
    from umkmkit.course.curriculum import load_curriculum

    kit = find_kit()
    done = untick(kit.workspace.cohort(cohort_id), load_curriculum(kit), trainee_id, list(items))
    click.echo(f"{done.trainee_id} ({done.name}): centang dihapus {', '.join(done.changed) or '-'}"
               + (f"; memang belum dicentang: {', '.join(done.unchanged)}" if done.unchanged else "")
               + f". Selesai {done.done} dari {done.total} hal.")


@main.command()
@click.argument("cohort_id")
@click.argument("assignment_id")
@click.option("--exchange/--no-exchange", default=None,
              help="Also release through nbgrader's exchange (default: when the cohort's exchange folder exists).")
def release(cohort_id: str, assignment_id: str, exchange: bool | None) -> None:
    """For trainers: hand out an assignment, as a folder and a zip per trainee (USB stick, WhatsApp).

    Every notebook carries its trainee's id (in its metadata, and filled in its first cell),
    so `collect` recognises it under any file name. Where there is a network, the assignment
    also goes to nbgrader's exchange.
    """
    from umkmkit.cohort.release import release_module
    from umkmkit.course.curriculum import load_curriculum

    kit = find_kit()
    released = release_module(kit, load_curriculum(kit), kit.workspace.cohort(cohort_id), assignment_id, exchange=exchange)
    result = released.release
    if released.handout_problem:
        click.echo(f"Lembar modul tidak disertakan (module handout not added): {released.handout_problem}")
    click.echo(f"{len(result.bundles)} bundles (folder and zip per trainee) of {assignment_id}: {result.bundles_dir}")
    if released.handouts:
        click.echo(f"Lembar modul di setiap bundle (module handout in every bundle): {', '.join(p.name for p in released.handouts)}")
    click.echo(f"Exchange: {result.exchange_note}")


@main.command()
@click.option("--check", is_flag=True, help="Exit with an error when a fact is past its review date (for CI).")
@click.option("--days", type=int, default=None, help="Also list facts due within this many days (default: 60).")
def fakta(check: bool, days: int | None) -> None:
    """Untuk pelatih: fakta yang harus diperiksa lagi sebelum pelatihan, dan lembar fakta.

    For trainers: the kit's facts (fees, thresholds, laws, deadlines) past or near their review
    date, with their sources; writes the fact sheet docs/fakta.md from docs/fakta/.
    """
    from datetime import date

    from umkmkit.course.facts import SOON_DAYS, due, load_facts, write_fact_sheet

    kit = find_kit()
    facts = load_facts(kit)
    sheet = write_fact_sheet(kit, facts)
    past, soon = due(facts, date.today(), SOON_DAYS if days is None else days)
    click.echo(f"{len(facts)} fakta; lembar fakta: {sheet}")
    for title, group in (("Sudah lewat tanggal periksa (past the review date)", past),
                         (f"Harus diperiksa dalam {SOON_DAYS if days is None else days} hari (due soon)", soon)):
        if group:
            click.echo(f"{title}:")
            for fact in group:
                click.echo(f"  {fact.periksa_lagi}  {fact.id}: {fact.judul}")
                for source in fact.primary_sources:
                    click.echo(f"      {source.nama}{': ' + source.alamat if source.alamat else ''}")
    if not past and not soon:
        click.echo("Semua fakta masih dalam tanggal periksanya. (Every fact is within its review date.)")
    if check and past:
        raise UmkmkitError(f"{len(past)} fakta sudah lewat tanggal periksanya: periksa sumbernya, lalu perbarui "
                           "diperiksa dan periksa_lagi di docs/fakta/. (Facts past their review date.)")


@main.command()
@click.argument("cohort_id")
@click.argument("assignment_id")
@click.argument("when")
def due(cohort_id: str, assignment_id: str, when: str) -> None:
    """Untuk pelatih: tetapkan batas waktu latihan (For trainers: set an assignment's due date).

    WHEN is "YYYY-MM-DD HH:MM" in this computer's time zone, e.g. "2026-12-10 17:00", or with an
    offset, "2026-12-10 17:00+09:00" (WIT). Work handed in later is marked late; the worked
    solution (`umkmkit pembahasan`) can be handed out only after it.
    """
    from umkmkit.cohort.cohorts import parse_due_date, set_due_date

    stored = set_due_date(find_kit().workspace.cohort(cohort_id), assignment_id, parse_due_date(when))
    click.echo(f"Batas waktu {assignment_id} di {cohort_id}: {stored:%Y-%m-%d %H:%M} UTC "
               f"(due date set, UTC).")


@main.command()
@click.argument("cohort_id")
@click.argument("assignment_id")
@click.option("--exchange/--no-exchange", default=None,
              help="Also release through nbgrader's exchange (default: when the cohort's exchange folder exists).")
def pembahasan(cohort_id: str, assignment_id: str, exchange: bool | None) -> None:
    """Untuk pelatih: bagikan pembahasan (contoh jawaban) sesudah batas waktu.

    For trainers: hand out an assignment's worked solution, never before its due date (and the
    longest extension): a folder, a zip per trainee, and nbgrader's exchange as
    <assignment>-pembahasan. Work sent after this is not collected.
    """
    from umkmkit.course.curriculum import load_curriculum
    from umkmkit.cohort.worked_solutions import release_worked_solutions

    kit = find_kit()
    result = release_worked_solutions(
        kit.workspace.cohort(cohort_id), load_curriculum(kit), assignment_id, exchange=exchange,
    )
    click.echo(f"Pembahasan {assignment_id} dibagikan ({result.released_at:%Y-%m-%d %H:%M} UTC): {result.folder}")
    if result.zips:
        click.echo(f"Zip per peserta ({len(result.zips)}): {next(iter(result.zips.values())).parent}")
    click.echo(f"Exchange: {result.exchange_note}")
    click.echo("Kiriman latihan ini sesudah sekarang tidak akan dikumpulkan. (Later submissions are not collected.)")


@main.command("paper-sheet")
@click.argument("cohort_id")
@click.argument("release_id")
def paper_sheet(cohort_id: str, release_id: str) -> None:
    """Untuk pelatih: tes pengetahuan di kertas: lembar soal dan lembar jawaban per peserta.

    For trainers: the knowledge test on paper: a question booklet (one per desk, reused), an
    answer sheet per trainee (circle a letter), and an answer form (CSV) to type the letters into
    afterwards, for `umkmkit paper-answers`. Open the pages in a browser and print them.
    """
    from umkmkit.course.curriculum import load_curriculum
    from umkmkit.cohort.paper import paper_sheets

    kit = find_kit()
    made = paper_sheets(kit.workspace.cohort(cohort_id), load_curriculum(kit), release_id)
    click.echo("Buka di browser, lalu Cetak (open in a browser and print):")
    click.echo(f"  lembar soal, satu per meja, dikumpulkan lagi: {made.booklet}")
    click.echo(f"  lembar jawaban, satu per peserta: {made.answer_sheets}")
    click.echo(f"Isi huruf jawaban di: {made.answer_form}, lalu jalankan "
               f"umkmkit paper-answers {cohort_id} {release_id} {made.answer_form}")


@main.command("paper-answers")
@click.argument("cohort_id")
@click.argument("release_id")
@click.argument("answer_file", required=False, type=click.Path(path_type=Path))
@click.option("--trainee", "trainee_id", help="Satu peserta saja (one trainee), with --letters.")
@click.option("--letters", help='Huruf jawaban berurutan, "-" untuk kosong, e.g. "cbbb-dacbdac".')
def paper_answers(cohort_id: str, release_id: str, answer_file: Path | None, trainee_id: str | None,
                  letters: str | None) -> None:
    """Untuk pelatih: masukkan jawaban tes kertas, lalu nilai dengan `umkmkit grade`.

    For trainers: enter the letters from paper sheets, from the answer form (CSV: id_peserta and
    one column per question) or for one trainee with --trainee and --letters. Each trainee's test
    notebook is written into the cohort as a submission; nothing is written if any row is wrong.
    """
    from umkmkit.cohort.paper import answers_to_enter, enter_paper_answers
    from umkmkit.course.curriculum import load_curriculum

    if bool(answer_file) == bool(trainee_id or letters) or bool(trainee_id) != bool(letters):
        raise click.UsageError("Berikan berkas jawaban (CSV), atau --trainee dan --letters. (A CSV, or --trainee with --letters.)")
    kit = find_kit()
    curriculum = load_curriculum(kit)
    cohort = kit.workspace.cohort(cohort_id)
    answers = answers_to_enter(cohort, curriculum, release_id, answer_file=answer_file, trainee_id=trainee_id,
                               letters=letters)
    entered = enter_paper_answers(cohort, curriculum, release_id, answers)
    click.echo(f"Jawaban kertas {release_id} dimasukkan untuk {len(entered.written)} peserta.")
    if entered.empty:
        click.echo(f"Baris kosong, tidak dimasukkan: {', '.join(entered.empty)}")
    click.echo(f"Sekarang nilai: umkmkit grade {cohort_id} {release_id}")


@main.command()
@click.argument("cohort_id")
@click.argument("assignment_id")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--exchange/--no-exchange", default=None,
              help="Also collect from nbgrader's exchange (default: when it holds this cohort's submissions).")
def collect(cohort_id: str, assignment_id: str, paths: tuple[Path, ...], exchange: bool | None) -> None:
    """For trainers: take in handed-in notebooks from zips, folders, files and nbgrader's exchange.

    File names do not matter (`latihan (1).ipynb`): each notebook is recognised by its
    content. The latest send of a trainee is kept; a submission it replaces is backed up.
    Notebooks that cannot be taken are listed with the reason.
    """
    from umkmkit.cohort.collect import collect_submissions

    result = collect_submissions(find_kit().workspace.cohort(cohort_id), assignment_id, paths, exchange=exchange)
    click.echo(f"Diterima / Accepted ({len(result.accepted)}):")
    for item in result.accepted:
        replaced = f"; replaced, old copy in {item.backup}" if item.backup else ""
        click.echo(
            f"  {item.trainee_id} {item.notebook_id} {item.timestamp:%Y-%m-%d %H:%M} "
            f"({item.identified_by}) from {item.source}{replaced}"
        )
    if result.skipped:
        click.echo(f"Tidak diambil / Not taken ({len(result.skipped)}):")
        for item in result.skipped:
            click.echo(f"  {item.trainee_id} {item.notebook_id} from {item.source}: {item.reason}")
    click.echo(f"Ditolak / Refused ({len(result.refused)}):")
    for item in result.refused:
        whose = f" [peserta / trainee {item.trainee}]" if item.trainee else ""
        click.echo(f"  {item.source}{whose}: {item.reason}")
    click.echo(f"Belum mengumpulkan / Not handed in yet ({len(result.missing)}): {', '.join(result.missing) or '-'}")
    click.echo(f"Exchange: {result.exchange_note}")


@main.command()
@click.argument("cohort_id")
@click.argument("assignment_id", required=False)
@click.option("--all", "every", is_flag=True,
              help="Grade every collected assignment of the cohort in one run (one pool of workers).")
@click.option("--workers", type=int, default=None, help="Grading processes (default: one per CPU core).")
@click.option("--force", is_flag=True, help="Grade again trainees already graded (manual grades are kept).")
@click.option("--timeout", type=int, default=None, help="Seconds a cell may run (default: 30).")
def grade(cohort_id: str, assignment_id: str | None, every: bool, workers: int | None, force: bool,
          timeout: int | None) -> None:
    """For trainers: autograde collected submissions with nbgrader, in parallel and sandboxed.

    Give one ASSIGNMENT, or --all for every assignment collected so far (after a workshop day).
    Each trainee's code runs in its own private folder with limits on memory, CPU time,
    processes and file size, and without network where this machine allows. The gradebook
    is backed up first. If the run is interrupted, run it again: finished trainees are kept.
    """
    from umkmkit.grading import grader as grading

    if bool(assignment_id) == every:
        raise click.UsageError("Sebutkan satu tugas ATAU --all / give one ASSIGNMENT or --all, not both or neither "
                               f"(e.g. `umkmkit grade {cohort_id} 01-jualan-digital` or `umkmkit grade {cohort_id} --all`).")
    cohort = find_kit().workspace.cohort(cohort_id)
    with progress_bar() as update:
        progress = lambda d, t, what: update("grading", d, t, what)  # noqa: E731
        if every:
            summaries = grading.grade_cohort(cohort, workers=workers, force=force, timeout=timeout, on_progress=progress)
        else:
            summaries = [grading.grade(cohort, assignment_id, workers=workers, force=force, timeout=timeout,
                                       on_progress=progress)]
    if not summaries:
        click.echo(f"Belum ada kiriman yang dikumpulkan di {cohort_id}: jalankan `umkmkit collect` dulu. "
                   f"(Nothing collected in {cohort_id} yet: run `umkmkit collect` first.)")
        return
    from umkmkit.room.doctor import protection_lines

    for summary in summaries:
        _print_grading(cohort_id, summary, timed=not every)
    first = summaries[0]
    if every:
        graded = sum(len(s.graded) for s in summaries)
        click.echo(f"Semua tugas {cohort_id}: {graded} notebook peserta dinilai dalam {first.seconds:.0f} detik dengan "
                   f"{first.workers} proses. (Every assignment: {graded} graded in {first.seconds:.0f} s.)")
    click.echo("Perlindungan penilai, masing-masing dicoba kode 'jahat' uji sebelum menilai "
               "(protection of the grader, each tried by a hostile probe before grading):")
    for line in protection_lines(first.protections):
        click.echo(line)
    if first.backup:
        click.echo(f"Buku nilai dicadangkan sebelum menilai (gradebook backed up): {first.backup}")
    elif first.backup_note:
        click.echo(f"Cadangan buku nilai (gradebook backup): {first.backup_note}")
    click.echo(f"Catatan lengkap penilaian ini (this grading run's log): {first.log_file}")
    if any(summary.failed for summary in summaries):
        sys.exit(1)


def _print_grading(cohort_id: str, summary, *, timed: bool) -> None:
    """One assignment's lines of `umkmkit grade`: counts (and the run's time), each failure, who waits
    for manual grading."""
    took = f" dalam {summary.seconds:.0f} detik dengan {summary.workers} proses" if timed else ""
    took_en = f" in {summary.seconds:.0f} s with {summary.workers} workers" if timed else ""
    click.echo(f"{summary.assignment_id} di {cohort_id}: {len(summary.graded)} peserta dinilai{took}; "
               f"{len(summary.already_graded)} sudah dinilai sebelumnya.")
    click.echo(f"  ({len(summary.graded)} graded{took_en}; {len(summary.already_graded)} already graded before.)")
    for trainee_id, reason in summary.reasons.items():
        click.echo(f"  GAGAL (failed) {trainee_id}: {reason}")
    if summary.failed and summary.log_file:
        click.echo(f"  Semua kegagalan lengkap (every failure in full): {summary.log_file}")
    if summary.needs_manual_grade:
        click.echo(f"Menunggu penilaian manual / waiting for manual grading ({len(summary.needs_manual_grade)}): "
                   f"{', '.join(summary.needs_manual_grade)}")


@main.command()
def doctor() -> None:
    """For trainers: what this machine gives the kit (Python, nbgrader, a graded kernel, each
    protection of the grader, Chromium for the kit's tests, free disk), in Indonesian and English,
    with what to do about each missing thing. Exits 1 when grading cannot work here.
    """
    from umkmkit.room.doctor import diagnose

    with console.status("Memeriksa komputer ini (checking this machine)...") as status:
        report = diagnose(on_step=lambda name: status.update(f"Memeriksa {name}..."))
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("cohort_id")
@click.argument("assignment_id")
@click.option("--anyway", is_flag=True,
              help="Also write feedback for trainees with written answers not marked yet; their pages say "
                   "\"menunggu penilaian pelatih\" for those parts.")
def feedback(cohort_id: str, assignment_id: str, anyway: bool) -> None:
    """For trainers: write each graded trainee's feedback, readable offline, as a page and a zip.

    The pages, in Indonesian and readable on a phone, show each check and its message but never
    the code of hidden tests. A trainee whose written answers are not marked yet is held back
    (mark them in the formgrader first) unless --anyway. Give the zip back by USB stick or WhatsApp.
    """
    from umkmkit.grading.grader import generate_feedback, one_line_reason
    from umkmkit.workspace import FEEDBACK

    cohort = find_kit().workspace.cohort(cohort_id)
    with progress_bar() as update:
        summary = generate_feedback(
            cohort, assignment_id, on_progress=lambda d, t, trainee: update("feedback", d, t, trainee),
            hold_back_unmarked=not anyway,
        )
    click.echo(f"Umpan balik ditulis untuk {len(summary.written)} peserta: {cohort.step_dir(FEEDBACK)}")
    click.echo(f"  (Feedback written for {len(summary.written)} trainees.)")
    if summary.bundles:
        click.echo(f"Zip untuk dikembalikan ke peserta (zips to hand back): {next(iter(summary.bundles.values())).parent}")
    if summary.held_back:
        click.echo(f"PERINGATAN: umpan balik {len(summary.held_back)} peserta ditahan karena jawaban tertulisnya "
                   "belum dinilai pelatih:")
        click.echo(f"  (Warning: feedback held back for {len(summary.held_back)} trainees whose written answers "
                   "are not marked yet.)")
        for trainee_id, answers in summary.held_back.items():
            click.echo(f"  {trainee_id} belum dinilai (not marked yet): {'; '.join(a.describe() for a in answers)}")
        click.echo(f"  Nilai jawaban itu di formgrader (`umkmkit lab --trainer {cohort_id}`), lalu jalankan lagi "
                   f"`umkmkit feedback {cohort_id} {assignment_id}`. Atau tambahkan --anyway: halamannya ditulis "
                   "sekarang dan bagian itu bertuliskan \"menunggu penilaian pelatih\".")
        click.echo("  (Mark them in the formgrader, then run this again; or add --anyway to write the pages now, "
                   "saying \"waiting for the trainer\" for those parts.)")
    if summary.waiting:
        click.echo(f"Ditulis walau ada jawaban yang belum dinilai (--anyway); bagian itu bertuliskan \"menunggu "
                   f"penilaian pelatih\": {', '.join(summary.waiting)}")
        click.echo("  (Written although some answers are not marked yet; those parts say \"waiting for the trainer\".)")
    for trainee_id, error in summary.failed.items():
        click.echo(f"  GAGAL (failed) {trainee_id}: {one_line_reason(error)}")


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder tujuan (default: workspace/handouts/). Folder to write to.")
def handouts(out: Path | None) -> None:
    """Untuk pelatih: lembar bawa pulang peserta (PDF A4 per modul, kartu, daftar istilah, halaman HP).

    For trainers: what participants take home: a printable A4 handout per module, one-page cards
    (harga aman, ongkir, tanda bahaya penipuan, sudah tertipu, izin usaha, buku pesanan, buku kas),
    the glossary, each also as an offline HTML page for a phone, and the spreadsheet calculators.
    """
    from umkmkit.course.curriculum import load_curriculum
    from umkmkit.course.handouts import summary, write_handouts

    kit = find_kit()
    for line in summary(write_handouts(kit, load_curriculum(kit), out)):
        click.echo(line)


if __name__ == "__main__":
    main()
