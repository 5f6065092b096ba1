# nbgrader reads this file name; every setting lives in course_config.py.
load_subconfig("course_config.py")  # noqa: F821 - provided by the traitlets config loader
