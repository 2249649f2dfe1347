"""The discernment check: before and after a course, how well learners tell genuine messages from false."""
