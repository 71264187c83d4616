# Sourced by the load scripts: `load_operation URL` makes, in the store at URL, operation 1,
# the coordinator `load` (also hotline) and the escort `load-escort`, both with
# $SAFECONDUCT_LOAD_PASSWORD, and exports the coordinator's one-time code secret, printed
# once by `user add`, as SAFECONDUCT_LOAD_TOTP_SECRET for the load generator. Needs $BIN.
load_operation() {
  local url=$1
  SAFECONDUCT_DATABASE=$url $BIN/safeconduct operation create "Load" >/dev/null
  SAFECONDUCT_LOAD_TOTP_SECRET=$(echo "$SAFECONDUCT_LOAD_PASSWORD" | SAFECONDUCT_DATABASE=$url \
    $BIN/safeconduct user add load --operation 1 --role coordinator --role hotline --password-stdin \
    | sed -n 's/.*authenticator app): //p')
  export SAFECONDUCT_LOAD_TOTP_SECRET
  echo "$SAFECONDUCT_LOAD_PASSWORD" | SAFECONDUCT_DATABASE=$url \
    $BIN/safeconduct user add load-escort --operation 1 --role escort --password-stdin >/dev/null
}
