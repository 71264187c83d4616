-- Pass format 2 derives a key per rendezvous point from each tier secret, and field kits carry
-- only the derived keys of their places. Format 1 kits carried the tier secrets themselves:
-- every kit ever handed out would derive the key of every RV. The secrets go; the keyring makes
-- new ones on next use (PassKeyring::keys). Format 1 passes are refused anyway.
DELETE FROM tier_keys;
