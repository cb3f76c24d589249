"""HTTP clients of the five source systems and the landing of what they deliver."""

CLIENT_VERSION = "mujun-connectors/1"
