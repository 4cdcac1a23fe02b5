"""The only code that runs git: commands, object readers and the streamed history."""
