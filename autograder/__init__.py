"""Staff-side tools of the course: build, validate and (later) grade nbgrader assignments."""
