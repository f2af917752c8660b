"""Published datasets (Delta tables): writing, reading and time travel, the release diff between runs."""
