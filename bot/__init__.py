"""The Slack edge of finetune-bot: the Bolt app, its listeners, the HTTP server and the command line."""
