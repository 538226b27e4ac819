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
    """A progress display whose tasks are created on first use, one per phase."""
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
def main() -> None:
    """umkmkit: lessons, graded exercises and cohort tooling for UMKM training in Manokwari."""
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
    from umkmkit.curriculum import build as build_exercises, load_curriculum

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
    from umkmkit.curriculum import load_curriculum
    from umkmkit.verification import verify_assignments

    kit = find_kit()
    curriculum = load_curriculum(kit)
    wanted = list(assignments) or [m.assignment for m in curriculum.assignments]
    with progress_bar() as update:
        results = verify_assignments(
            kit, curriculum, wanted, on_progress=lambda d, t, sid: update("grading", d, t, sid),
        )
    problems = []
    for assignment_id, result in results.items():
        click.echo(
            f"{assignment_id}: solution {result.solution.score:g}/{result.solution.auto_max:g}, "
            f"untouched {result.untouched.score:g}, {len(result.mistakes)} catalogued mistakes"
        )
        for mistake, graded in result.mistakes.values():
            click.echo(f"  {mistake.id:<32} {graded.score:g}/{result.solution.auto_max:g}  ({mistake.test})")
        problems += [f"{assignment_id}: {p}" for p in result.problems()]
    if problems:
        raise UmkmkitError("Assignments do not grade as intended:\n  " + "\n  ".join(problems))
    click.echo("Every assignment grades as intended.")


@main.command()
def check() -> None:
    """For course authors: check that curriculum.yml and the folders agree."""
    from umkmkit.curriculum import load_curriculum, structure_problems

    kit = find_kit()
    problems = structure_problems(kit, load_curriculum(kit))
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
@click.option("--trainees", type=int, default=20, show_default=True,
              help="How many trainees of the June 2022 roster to simulate (up to 100).")
def demo(trainees: int) -> None:
    """For newcomers: run the whole chain on a synthetic cohort in workspace/demo/.

    Creates a cohort course with its own gradebook, simulated submissions (correct, with
    typical mistakes, blank, one late), grades them with nbgrader, writes feedback and
    progress.csv. Safe to run again: the previous demo is replaced.
    """
    from umkmkit.curriculum import load_curriculum
    from umkmkit.demo import feedback_dir, run_demo

    kit = find_kit()
    with progress_bar() as update:
        result = run_demo(kit, load_curriculum(kit), trainees=trainees, on_progress=update)
    table = result.progress
    click.echo("")
    click.echo(f"Demo cohort {result.cohort.cohort_id}: {table['trainee'].nunique()} trainees graded by nbgrader.")
    summary = table.groupby("assignment").agg(mean=("score", "mean"), max=("max_score", "first"))
    for assignment, row in summary.iterrows():
        click.echo(f"  {assignment}: mean score {row['mean']:.1f} of {row['max']:.0f}")
    if result.grading_failures:
        ids = ", ".join(r.trainee_id for r in result.grading_failures)
        click.echo(f"  could not grade: {ids}")
    click.echo(f"Course directory and gradebook: {result.cohort.root}")
    click.echo(f"Feedback for each trainee:      {feedback_dir(result)}")
    click.echo(f"Progress table:                 {result.progress_file}")


if __name__ == "__main__":
    main()
