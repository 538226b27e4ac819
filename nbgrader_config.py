"""nbgrader settings of the kit.

Used as is when a trainer runs nbgrader in this folder (solutions/ -> exercises/), and as the
base of every cohort's course configuration (umkmkit adds the cohort's root, course id and
gradebook). Texts a participant reads are in Bahasa Indonesia.
"""

from umkmkit.course.stubs import generate_assignment_preprocessors

c = get_config()  # noqa: F821 (provided by nbgrader's config loader)

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# kesalahan.yml is each assignment's catalog of typical mistakes: it must never reach participants.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "kesalahan.yml",
]

# Participants get a blank to fill ("harga = ...") in place of each solution region; a region
# that is not a plain assignment (a challenge's function body) gets this stub.
c.GenerateAssignment.preprocessors = generate_assignment_preprocessors()
c.ClearSolutions.code_stub = {
    "python": "# TULIS JAWABAN ANDA DI SINI\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "TULIS JAWABAN ANDA DI SINI"

# A participant's infinite loop is interrupted after 30 s and grading goes on.
c.ExecutePreprocessor.timeout = 30
# Kernels log a warning about TCP on every start; on loopback it is noise to a trainer.
c.ExecutePreprocessor.extra_arguments = ["--IPKernelApp.log_level=ERROR"]

# A participant who deletes a test cell by accident is still graded on it.
c.OverwriteCells.add_missing_cells = True
c.OverwriteCells.missing_cell_notification = (
    "Sel ini (id:{cell_id}) terhapus dari kiriman Anda dan dikembalikan oleh penilai.\n\n"
)
