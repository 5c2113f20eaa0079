"""The teacher's side of the course: exercises, solutions, the student release and grading (see README.md)."""
