"""Task suites (`agent eval tasks`, CONTRACTS §11): the suite file (suite), one episode on its
own display (episode), where episodes run (fleet, ray_fleet), the runner with its retries and
resume (runner), and the summary and index.html (results)."""
