-- A member held apart from the household's stage is manifested and boarded on a flight of
-- their own: one checked in after the household was manifested, or after it flew, goes on a
-- later flight. NULL while the member is not manifested (the household's flight is theirs when
-- they rejoin it).
ALTER TABLE held_people ADD COLUMN flight_id BIGINT REFERENCES flights(id);
CREATE INDEX held_people_flight ON held_people (flight_id, stage);
