"""The local stack behind `make dev`: moto server with a persistent journal, resource bootstrap,
the queue/schedule dispatcher, chalice local and the console dev server. Not deployed."""
