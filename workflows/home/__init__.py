"""The App Home tab: what each person has going on (setups, jobs, deployments, spend), built and published."""
