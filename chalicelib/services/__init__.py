"""Business logic: plain functions over repositories, called by the API blueprints and event handlers."""
