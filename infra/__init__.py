"""Infrastructure: the resource definitions shared by the deployment and the local stack."""
