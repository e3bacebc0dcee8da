"""The recognition case process."""
