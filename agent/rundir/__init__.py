"""The `Recorder` seam: run directories on disk, their one reader, and report.html."""
