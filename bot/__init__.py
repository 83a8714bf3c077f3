"""costbot's front ends: the `costbot` command line (and, with the Slack issue, listeners and Block Kit views)."""
