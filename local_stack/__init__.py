"""The embedded local stack: moto server, provisioning, HTTP server, SQS workers and scheduler."""
