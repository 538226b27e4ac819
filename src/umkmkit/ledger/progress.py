"""The progress ledger: every trainee's work in every cohort, as tidy pandas tables.

`ledger` reads each cohort's gradebook (SQLite or PostgreSQL, through nbgrader's own table
definitions, with the scores summed in SQL exactly as nbgrader's `score` properties define
them) and its roster, and returns one row per rostered trainee x assignment x notebook, with
a row for work never handed in. `module_results` and `trainee_summary` build the per-trainee
view across cohorts on top of it: best score per module, attempts, passed (pass marks from
curriculum.yml), modules still open, first and last cohort.

Optional challenges (Tantangan: grade cells named `tantangan...`/`tes_tantangan...`, see
`notebooks.CHALLENGE_PREFIXES`) are extra credit: `nilai`/`nilai_maks` hold the required parts
only, and passing is computed from them; `nilai_tantangan`/`nilai_maks_tantangan` hold the
challenges, shown apart.

The queries are SQLAlchemy's; a SQLite gradebook (the usual one) is read with the standard
library's sqlite3, running the SQL SQLAlchemy compiles for SQLite once per process and converting
each column as SQLAlchemy would (`_read_sqlite`): an engine, a compilation and Row objects per
gradebook cost more than SQLite's own work (measured with benchmarks/report.py at full size, the
ledger took 0.95 s of CPU through SQLAlchemy, 0.75 s so). Any other database goes through SQLAlchemy.

Column names are Indonesian, like the kit's data sets, because coordinators open these tables.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from umkmkit.course import notebooks
from umkmkit.cohort.cohorts import load_cohort_config, roster
from umkmkit.course.curriculum import Curriculum
from umkmkit.errors import UmkmkitError
from umkmkit.workspace import Cohort, Workspace, gradebook_url, read_only_connection, sqlite_path

#: `modul` of the pre-test and the post-test rows in knowledge_test_ledger.
TEST_MOMENTS = ("awal", "akhir")
GAIN_COLUMNS = [
    "kohort", "peserta_keduanya", "rata_awal_persen", "rata_akhir_persen", "gain_ternormalisasi",
    "hanya_awal", "hanya_akhir", "tidak_ikut",
]

#: Ledger status of a trainee's notebook in one cohort.
SUBMITTED, LATE, MISSING = "dikumpulkan", "terlambat", "tidak_dikumpulkan"

LEDGER_COLUMNS = [
    "id_peserta", "nama", "id_umkm", "sektor", "distrik", "kohort", "urutan_kohort", "modul", "tugas",
    "notebook", "nilai", "nilai_maks", "nilai_tantangan", "nilai_maks_tantangan", "status", "dinilai",
    "perlu_nilai_manual", "waktu_kumpul",
]
MODULE_COLUMNS = [
    "id_peserta", "modul", "tugas", "nilai_terbaik", "nilai_maks", "persen", "batas_lulus", "lulus",
    "menunggu_pelatih", "nilai_tantangan", "nilai_maks_tantangan", "percobaan", "kohort_terbaik", "kohort_terakhir",
]
TRAINEE_COLUMNS = [
    "id_peserta", "nama", "id_umkm", "sektor", "distrik", "kohort_pertama", "kohort_terakhir",
    "jumlah_kohort", "modul_lulus", "modul_belum_lulus", "modul_menunggu_pelatih", "lulus_semua",
    "rata_rata_persen", "perlu_nilai_manual", "tugas_tidak_dikumpulkan",
]
#: In trainee_summary: modul_belum_lulus lists modules not passed (module ids, "01, 03"),
#: modul_menunggu_pelatih those not passed yet whose written answers the trainer has still to mark
#: (their result is not known: never shown as "belum lulus"), and tugas_tidak_dikumpulkan those
#: never handed in, in any cohort.


def workspace_cohorts(workspace: Workspace, cohort_ids: Iterable[str] | None = None) -> list[Cohort]:
    """The workspace's cohorts (all, or the given ids), oldest first.

    Raises UmkmkitError naming an unknown cohort id and the ones that exist.
    """
    found = {}
    if workspace.cohorts_dir.is_dir():
        for folder in workspace.cohorts_dir.iterdir():
            cohort = Cohort(folder)
            if cohort.config_file.is_file() and cohort.roster_file.is_file():
                found[cohort.cohort_id] = cohort
    if cohort_ids is not None:
        wanted = list(dict.fromkeys(cohort_ids))
        unknown = [c for c in wanted if c not in found]
        if unknown:
            known = ", ".join(sorted(found)) or "none yet"
            raise UmkmkitError(
                f"No cohort {', '.join(unknown)} in {workspace.cohorts_dir} (cohorts there: {known}). "
                "Create it with `umkmkit cohort create`."
            )
        found = {c: found[c] for c in wanted}
    return [found[c] for c in sorted(found)]


def ledger(cohorts: list[Cohort], curriculum: Curriculum) -> pd.DataFrame:
    """One row per rostered trainee x cohort x curriculum assignment x notebook.

    `nilai` is nbgrader's score (manual score over automatic, plus extra credit) of the required
    parts, `nilai_tantangan` that of the optional challenges; `status` is
    dikumpulkan, terlambat (handed in after the due date plus any extension) or
    tidak_dikumpulkan (no submission: nilai 0); `dinilai` says nbgrader has graded it.
    """
    expected = pd.DataFrame(
        [(m.id, m.assignment, nb) for m in curriculum.assignments for nb in m.notebooks],
        columns=["modul", "tugas", "notebook"],
    )
    return _ledger(cohorts, expected)


def knowledge_test_ledger(cohorts: list[Cohort], curriculum: Curriculum) -> pd.DataFrame:
    """The pre-test and post-test as ledger rows: `modul` is "awal" (pre) or "akhir" (post).

    Empty when curriculum.yml declares no knowledge test.
    """
    test = curriculum.knowledge_test
    rows = [] if test is None else [
        (moment, assignment_id, nb)
        for moment, assignment_id in zip(TEST_MOMENTS, test.releases) for nb in test.source.notebooks
    ]
    return _ledger(cohorts, pd.DataFrame(rows, columns=["modul", "tugas", "notebook"]))


def _ledger(cohorts: list[Cohort], expected: pd.DataFrame) -> pd.DataFrame:
    frames = [_cohort_ledger(cohort, expected) for cohort in cohorts]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return _typed(pd.DataFrame(columns=LEDGER_COLUMNS))
    table = pd.concat(frames, ignore_index=True)
    # cohorts in the order they ran: earliest due date, then id (ids like mkw-2022-06 sort by date)
    first_due = pd.to_datetime(table.groupby("kohort")["batas_waktu"].min())
    dated = first_due.dropna()
    order = sorted(dated.index, key=lambda c: (dated[c], c)) + sorted(first_due.index[first_due.isna()])
    table["urutan_kohort"] = table["kohort"].map({c: i for i, c in enumerate(order)})
    return _typed(table)


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    table = table.astype({
        "nilai": "float64", "nilai_maks": "float64", "nilai_tantangan": "float64", "nilai_maks_tantangan": "float64",
        "dinilai": "bool", "perlu_nilai_manual": "bool", "urutan_kohort": "int64",
    })
    table["waktu_kumpul"] = pd.to_datetime(table["waktu_kumpul"])
    return table[LEDGER_COLUMNS].reset_index(drop=True)


def _cohort_ledger(cohort: Cohort, expected: pd.DataFrame) -> pd.DataFrame:
    if expected.empty:  # e.g. no knowledge test in curriculum.yml: no roster to read
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    people = _roster_table(cohort)
    if people.empty:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    maxima, submitted = _gradebook_tables(cohort)
    table = people.merge(expected, how="cross")
    table = table.merge(maxima, on=["tugas", "notebook"], how="left")
    for column in ("nilai_maks", "nilai_maks_tantangan"):
        table[column] = table[column].fillna(0.0)  # an assignment not yet in the gradebook
    table = table.merge(submitted, on=["id_peserta", "tugas", "notebook"], how="left")
    handed_in = table["waktu_kumpul"].notna() | table["nilai"].notna()
    table["status"] = MISSING
    table.loc[handed_in, "status"] = SUBMITTED
    table.loc[handed_in & table["terlambat"].eq(True), "status"] = LATE
    table["nilai"] = table["nilai"].fillna(0.0)
    table["nilai_tantangan"] = table["nilai_tantangan"].fillna(0.0)
    table["dinilai"] = table["dinilai"].eq(True)
    table["perlu_nilai_manual"] = table["perlu_nilai_manual"].eq(True)
    table["kohort"] = cohort.cohort_id
    return table


def _roster_table(cohort: Cohort) -> pd.DataFrame:
    rows = [
        {
            "id_peserta": t.trainee_id, "nama": t.name, "id_umkm": t.extra.get("id_umkm", ""),
            "sektor": t.extra.get("sektor", ""), "distrik": t.extra.get("distrik", ""),
        }
        for t in roster(cohort)
    ]
    return pd.DataFrame(rows, columns=["id_peserta", "nama", "id_umkm", "sektor", "distrik"])


def _gradebook_tables(cohort: Cohort) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(max score per assignment notebook, one row per submitted notebook) from the gradebook."""
    empty_max = pd.DataFrame(columns=["tugas", "notebook", "nilai_maks", "nilai_maks_tantangan", "batas_waktu"])
    empty_sub = pd.DataFrame(columns=[
        "id_peserta", "tugas", "notebook", "nilai", "nilai_tantangan", "dinilai", "perlu_nilai_manual",
        "waktu_kumpul", "terlambat",
    ])
    url = load_cohort_config(cohort).CourseDirectory.db_url
    database = sqlite_path(url)
    if database is not None and not database.is_file():
        return empty_max, empty_sub  # a cohort nobody has handed anything in to yet
    try:
        if database is not None:
            url = gradebook_url(database, read_only=True)
            maxima_rows, rows = _read_sqlite(database)
        else:
            maxima_rows, rows = _read_database(url)
    except (sa.exc.SQLAlchemyError, sqlite3.Error) as error:
        raise UmkmkitError(
            f"Cannot read the gradebook of cohort {cohort.cohort_id} "
            f"({sa.engine.make_url(url).render_as_string(hide_password=True)}): {error.__class__.__name__}: "
            f"{str(error).splitlines()[0]}. Check the cohort's nbgrader_config.py (db_url) and that the "
            "database is reachable; a SQLite gradebook has a copy in its backups/ folder."
        ) from error
    maxima = _frame(maxima_rows, ["tugas", "notebook", "nilai_maks", "nilai_maks_tantangan", "batas_waktu"])
    submitted = _frame(rows, [
        "id_peserta", "tugas", "notebook", "nilai", "nilai_tantangan", "grades", "perlu_nilai_manual",
        "waktu_kumpul", "duedate", "extension",
    ])
    submitted["dinilai"] = submitted["grades"] > 0
    submitted["perlu_nilai_manual"] = submitted["perlu_nilai_manual"].astype(bool)
    # nbgrader's SubmittedAssignment.total_seconds_late > 0 (due date plus any extension)
    due = pd.to_datetime(submitted["duedate"]) + pd.to_timedelta(submitted["extension"]).fillna(pd.Timedelta(0))
    submitted["terlambat"] = (pd.to_datetime(submitted["waktu_kumpul"]) > due).fillna(False).astype(bool)
    return (
        maxima.astype({"nilai_maks": "float64", "nilai_maks_tantangan": "float64"}),
        submitted.drop(columns=["grades", "duedate", "extension"]).astype({"nilai": "float64", "nilai_tantangan": "float64"}),
    )


def _read_database(url: str) -> tuple[list, list]:
    """The two queries' rows through SQLAlchemy (any database nbgrader supports, e.g. PostgreSQL)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(_max_score_query()).all(), connection.execute(_submission_query()).all()
    finally:
        engine.dispose()


def _read_sqlite(database: Path) -> tuple[list, list]:
    """The same two queries' rows from a SQLite gradebook through the standard library's sqlite3.

    The SQL is SQLAlchemy's own for these queries (compiled once per process, `_sqlite_statements`),
    and each column's value is converted the way SQLAlchemy converts it (dates and nbgrader's
    extension, an Interval, stored as text), so the rows are the ones `_read_database` returns.
    Through SQLAlchemy each gradebook cost an engine, a compilation of both queries (its cache
    belongs to the engine) and a Row per result: 0.2 of the ledger's 0.95 s of CPU at the full size
    of benchmarks/report.py (20 gradebooks of 250 trainees); SQLite's own work is some 0.4 s.
    """
    connection = read_only_connection(database)
    try:
        return [_converted(connection.execute(sql, parameters).fetchall(), processors)
                for sql, parameters, processors in _sqlite_statements()]
    finally:
        connection.close()


def _converted(rows: list[tuple], processors: tuple) -> list[tuple]:
    if not any(processors) or not rows:
        return rows
    columns = list(zip(*rows))
    for position, process in enumerate(processors):
        if process is not None:
            columns[position] = [None if value is None else process(value) for value in columns[position]]
    return list(zip(*columns))


@functools.cache
def _sqlite_statements() -> tuple[tuple[str, tuple, tuple], ...]:
    """(SQL, parameters, each column's SQLAlchemy result processor) of `_max_score_query` and
    `_submission_query`, compiled by SQLAlchemy for SQLite (the dialect behind gradebook_url)."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    statements = []
    for query in (_max_score_query(), _submission_query()):
        compiled = query.compile(dialect=dialect)
        parameters = tuple(compiled.params[name] for name in compiled.positiontup or ())
        processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                           for column in query.selected_columns)
        statements.append((str(compiled), parameters, processors))
    return tuple(statements)


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    """A table from SQLAlchemy rows, column by column: pandas probes every Row object for
    attributes when given the rows themselves (measured: 0.35 of the ledger's 1.25 s at full size)."""
    values = list(zip(*rows)) if rows else [() for _ in columns]
    return pd.DataFrame(dict(zip(columns, values)), columns=columns)


def _is_challenge(name: sa.ColumnElement) -> sa.ColumnElement:
    """SQL: the grade cell named `name` is an optional challenge's (notebooks.CHALLENGE_PREFIXES)."""
    return sa.or_(*[
        name.like(prefix.replace("_", "\\_") + "%", escape="\\") for prefix in notebooks.CHALLENGE_PREFIXES
    ])


def _max_score_query() -> sa.Select:
    """Notebook.max_score (its grade cells' plus its task cells' maxima), required and challenge apart."""
    from nbgrader.api import Assignment, BaseCell, GradeCell, Notebook, TaskCell

    base = BaseCell.__table__

    def cells(kind, challenge: bool) -> sa.ScalarSelect:
        chosen = _is_challenge(base.c.name)
        return (
            sa.select(sa.func.coalesce(sa.func.sum(kind.__table__.c.max_score), 0.0))
            .select_from(kind.__table__.join(base, kind.__table__.c.id == base.c.id))
            .where(base.c.notebook_id == Notebook.__table__.c.id, chosen if challenge else sa.not_(chosen))
            .scalar_subquery()
        )

    notebook, assignment = Notebook.__table__, Assignment.__table__
    return (
        sa.select(
            assignment.c.name, notebook.c.name, cells(GradeCell, False) + cells(TaskCell, False),
            cells(GradeCell, True) + cells(TaskCell, True), assignment.c.duedate,
        )
        .select_from(notebook.join(assignment, notebook.c.assignment_id == assignment.c.id))
    )


def _submission_query() -> sa.Select:
    """Per submitted notebook: SubmittedNotebook.score, whether graded, needs_manual_grade, times."""
    from nbgrader.api import Assignment, BaseCell, Grade, Notebook, SubmittedAssignment, SubmittedNotebook

    grade, sn, sa_ = Grade.__table__, SubmittedNotebook.__table__, SubmittedAssignment.__table__
    cell = BaseCell.__table__
    assignment, notebook = Assignment.__table__, Notebook.__table__
    extra = sa.func.coalesce(grade.c.extra_credit, 0.0)
    score = sa.case(
        (grade.c.manual_score.is_not(None), grade.c.manual_score + extra),
        (grade.c.auto_score.is_not(None), grade.c.auto_score + extra),
        else_=0.0,
    )
    needs_manual = sa.case((grade.c.needs_manual_grade, 1), else_=0)
    challenge = _is_challenge(cell.c.name)
    # the grades summed per submitted notebook first, then joined: half the time of grouping the
    # whole join in SQLite (no index on grade.notebook_id; 15 against 30 ms per cohort of 250)
    per_notebook = (
        sa.select(
            grade.c.notebook_id.label("notebook_id"),
            sa.func.sum(sa.case((challenge, 0.0), else_=score)).label("required"),
            sa.func.sum(sa.case((challenge, score), else_=0.0)).label("challenge"),
            sa.func.count(grade.c.id).label("grades"),
            sa.func.max(needs_manual).label("needs_manual"),
        )
        .select_from(grade.outerjoin(cell, grade.c.cell_id == cell.c.id))
        .group_by(grade.c.notebook_id)
        .subquery()
    )
    return (
        sa.select(
            sa_.c.student_id, assignment.c.name, notebook.c.name,
            sa.func.coalesce(per_notebook.c.required, 0.0), sa.func.coalesce(per_notebook.c.challenge, 0.0),
            sa.func.coalesce(per_notebook.c.grades, 0), sa.func.coalesce(per_notebook.c.needs_manual, 0),
            sa_.c.timestamp, assignment.c.duedate, sa_.c.extension,
        )
        .select_from(
            sn.join(sa_, sn.c.assignment_id == sa_.c.id)
            .join(assignment, sa_.c.assignment_id == assignment.c.id)
            .join(notebook, sn.c.notebook_id == notebook.c.id)
            .outerjoin(per_notebook, per_notebook.c.notebook_id == sn.c.id)
        )
    )


def assignment_results(table: pd.DataFrame) -> pd.DataFrame:
    """The ledger summed over notebooks: one row per trainee x cohort x assignment."""
    keys = ["id_peserta", "kohort", "urutan_kohort", "modul", "tugas"]
    flags = table[[*keys, "nilai", "nilai_maks", "nilai_tantangan", "nilai_maks_tantangan", "perlu_nilai_manual"]].assign(
        terlambat=table["status"].eq(LATE), dikumpulkan=table["status"].ne(MISSING),
    )
    result = flags.groupby(keys, sort=False, observed=True).agg(
        nilai=("nilai", "sum"), nilai_maks=("nilai_maks", "sum"), nilai_tantangan=("nilai_tantangan", "sum"),
        nilai_maks_tantangan=("nilai_maks_tantangan", "sum"), perlu_nilai_manual=("perlu_nilai_manual", "any"),
        terlambat=("terlambat", "any"), dikumpulkan=("dikumpulkan", "any"),
    ).reset_index()
    result["status"] = MISSING
    result.loc[result["dikumpulkan"], "status"] = SUBMITTED
    result.loc[result["terlambat"], "status"] = LATE
    return result.drop(columns=["terlambat", "dikumpulkan"])


def module_results(table: pd.DataFrame, curriculum: Curriculum, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per trainee and graded module across cohorts: best score, attempts, passed or not.

    An attempt is a cohort in which the trainee handed the assignment in; the best score of the
    required parts is kept (a retake that went worse does not lower it), with that attempt's
    challenge points beside it; challenges never decide passing. `results` is `assignment_results(table)`
    when the caller has it already.
    """
    results = (assignment_results(table) if results is None else results).copy()
    if results.empty:
        return pd.DataFrame(columns=MODULE_COLUMNS)
    results["persen"] = (100 * results["nilai"] / results["nilai_maks"]).where(results["nilai_maks"] > 0, 0.0)
    results["percobaan"] = (results["status"] != MISSING).astype(int)
    ordered = results.sort_values(["id_peserta", "tugas", "persen", "urutan_kohort"], ascending=[True, True, False, True])
    best = ordered.drop_duplicates(["id_peserta", "tugas"]).set_index(["id_peserta", "tugas"])
    by_pair = results.groupby(["id_peserta", "tugas"], sort=False)
    best["percobaan"] = by_pair["percobaan"].sum()
    last = results.sort_values("urutan_kohort").drop_duplicates(["id_peserta", "tugas"], keep="last")
    best["kohort_terakhir"] = last.set_index(["id_peserta", "tugas"])["kohort"]
    best = best.reset_index().rename(columns={"nilai": "nilai_terbaik", "kohort": "kohort_terbaik"})
    marks = {m.assignment: float(m.pass_mark) for m in curriculum.assignments}
    best["batas_lulus"] = best["tugas"].map(marks)
    best["lulus"] = (best["percobaan"] > 0) & (best["persen"] >= best["batas_lulus"])
    # not passed with the points given so far, and the latest hand-in still has unmarked written
    # answers: the result is the trainer's to give, not a fail
    waiting = last.set_index(["id_peserta", "tugas"])["perlu_nilai_manual"].reindex(
        pd.MultiIndex.from_frame(best[["id_peserta", "tugas"]])).fillna(False).to_numpy(dtype=bool)
    best["menunggu_pelatih"] = ~best["lulus"] & waiting
    order = {m.assignment: i for i, m in enumerate(curriculum.assignments)}
    best = best.sort_values(["id_peserta", "tugas"], key=lambda s: s.map(order) if s.name == "tugas" else s)
    return best[MODULE_COLUMNS].reset_index(drop=True)


def trainee_summary(
    table: pd.DataFrame, curriculum: Curriculum, results: pd.DataFrame | None = None,
    modules: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per person across cohorts (the same id_peserta in two cohorts is one person).

    `results` and `modules` are `assignment_results(table)` and `module_results(...)` when
    the caller has them already.
    """
    if table.empty:
        return pd.DataFrame(columns=TRAINEE_COLUMNS)
    results = assignment_results(table) if results is None else results
    modules = (module_results(table, curriculum, results) if modules is None else modules).copy()
    people = (
        table.sort_values("urutan_kohort")
        .groupby("id_peserta", sort=True)
        .agg(
            nama=("nama", "last"), id_umkm=("id_umkm", "last"), sektor=("sektor", "last"),
            distrik=("distrik", "last"), kohort_pertama=("kohort", "first"), kohort_terakhir=("kohort", "last"),
            jumlah_kohort=("kohort", "nunique"),
        )
    )
    by_person = modules.groupby("id_peserta", sort=True)
    module_id = {m.assignment: m.id for m in curriculum.assignments}
    modules["label"] = modules["tugas"].map(module_id)
    people["modul_lulus"] = by_person["lulus"].sum().astype(int)
    people["modul_belum_lulus"] = _labels(modules[~modules["lulus"] & ~modules["menunggu_pelatih"]], people.index)
    people["modul_menunggu_pelatih"] = _labels(modules[modules["menunggu_pelatih"]], people.index)
    people["lulus_semua"] = by_person["lulus"].all()
    people["rata_rata_persen"] = by_person["persen"].mean().round(1)
    # a grade still to be given counts in the trainee's latest cohort only: older ones were retaken
    latest = results[results["urutan_kohort"] == results.groupby("id_peserta")["urutan_kohort"].transform("max")]
    people["perlu_nilai_manual"] = latest.groupby("id_peserta")["perlu_nilai_manual"].any().reindex(people.index).fillna(False)
    never = modules[modules["percobaan"] == 0]
    people["tugas_tidak_dikumpulkan"] = _labels(never, people.index)
    return people.reset_index()[TRAINEE_COLUMNS]


def _labels(modules: pd.DataFrame, people: pd.Index) -> pd.Series:
    """Each person's module labels in the table's order, joined ("01, 03"); "" for a person without any.

    The same as grouping by person and aggregating with ", ".join, which pandas runs value by value
    in Python for every group (0.2 s of CPU for three such columns at the full size of
    benchmarks/report.py); plain lists do it in some 0.02 s.
    """
    joined: dict[str, list[str]] = {}
    for person, label in zip(modules["id_peserta"].tolist(), modules["label"].tolist()):
        joined.setdefault(person, []).append(label)
    texts = {person: ", ".join(labels) for person, labels in joined.items()}
    return pd.Series([texts.get(person, "") for person in people.tolist()], index=people, dtype=modules["label"].dtype)


def knowledge_gain(tests: pd.DataFrame) -> pd.DataFrame:
    """Per cohort: mean pre- and post-test score and the normalised gain, from `knowledge_test_ledger`.

    Only trainees who took both tests enter the means and the gain, which is
    (mean post - mean pre) / (maximum - mean pre) on the cohort's means (Hake's g; empty when
    the mean pre-test score is already the maximum). Trainees who took only one test, or
    neither, are counted in their own columns rather than dropped.
    """
    if tests.empty:
        return pd.DataFrame(columns=GAIN_COLUMNS)
    pre, post = TEST_MOMENTS
    per = tests.groupby(["urutan_kohort", "kohort", "id_peserta", "modul"], sort=True).agg(
        nilai=("nilai", "sum"), nilai_maks=("nilai_maks", "sum"), ikut=("status", lambda s: (s != MISSING).any()),
    )
    wide = per.unstack("modul")
    took_pre, took_post = wide[("ikut", pre)].astype(bool), wide[("ikut", post)].astype(bool)
    both = took_pre & took_post
    rows = []
    for (_, cohort_id), group in wide.groupby(level=["urutan_kohort", "kohort"], sort=True):
        in_both = group[both.loc[group.index]]
        maximum = float(group[("nilai_maks", pre)].max())
        mean_pre = float(in_both[("nilai", pre)].mean()) if len(in_both) else float("nan")
        mean_post = float(in_both[("nilai", post)].mean()) if len(in_both) else float("nan")
        gain = (mean_post - mean_pre) / (maximum - mean_pre) if len(in_both) and maximum > mean_pre else float("nan")
        percent = (lambda v: 100 * v / maximum) if maximum > 0 else (lambda v: float("nan"))
        rows.append({
            "kohort": cohort_id, "peserta_keduanya": len(in_both),
            "rata_awal_persen": percent(mean_pre), "rata_akhir_persen": percent(mean_post),
            "gain_ternormalisasi": gain,
            "hanya_awal": int((took_pre & ~took_post).loc[group.index].sum()),
            "hanya_akhir": int((~took_pre & took_post).loc[group.index].sum()),
            "tidak_ikut": int((~took_pre & ~took_post).loc[group.index].sum()),
        })
    return pd.DataFrame(rows, columns=GAIN_COLUMNS)
