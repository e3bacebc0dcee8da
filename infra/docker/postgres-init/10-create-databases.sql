-- One database per service, plus Temporal's two (docker-compose.yml mounts this folder on
-- /docker-entrypoint-initdb.d). The postgres image runs it once, as POSTGRES_USER, on an empty
-- data volume only: on an existing volume, create any missing database by hand.
-- Temporal's auto-setup runs with SKIP_DB_CREATE=true because these already exist (its own
-- CREATE DATABASE would fail on them); it still creates and upgrades the schema inside.
CREATE DATABASE evaluation;
CREATE DATABASE awards;
CREATE DATABASE notifications;
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
