"""Fine-tuning conversations and Bedrock job orchestration, free of Slack.

"Workflow" here means this product's conversation and job lifecycle, not Slack Workflow Builder
(slack_bolt has its own unrelated ``workflows`` package for workflow steps).
"""
