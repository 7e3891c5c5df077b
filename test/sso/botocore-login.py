"""
A client nobody here wrote, against the stand-in: botocore's own sso-oidc client runs the device
authorization, then botocore's SSOTokenProvider (refresh_token grant) and SSOProvider
(GetRoleCredentials) are driven through a boto3 Session, exactly as `aws sso login` leaves things.
The endpoints come from AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO.
argv: PROFILE SESSION_NAME START_URL; prints one JSON line per step on stdout.
"""
import datetime
import hashlib
import json
import os
import sys
import time

import boto3

profile, session_name, start_url = sys.argv[1:4]


def say(**kw):
    print(json.dumps(kw), flush=True)


oidc = boto3.client("sso-oidc", region_name="us-east-1")
reg = oidc.register_client(clientName="botocore-oracle", clientType="public", scopes=["sso:account:access"])
dev = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=start_url)
say(step="device", userCode=dev["userCode"], interval=dev["interval"], uri=dev["verificationUriComplete"])
interval = dev["interval"]
pending = 0
while True:
    try:
        tok = oidc.create_token(
            clientId=reg["clientId"],
            clientSecret=reg["clientSecret"],
            grantType="urn:ietf:params:oauth:grant-type:device_code",
            deviceCode=dev["deviceCode"],
        )
        break
    except oidc.exceptions.AuthorizationPendingException:
        pending += 1
    except oidc.exceptions.SlowDownException:
        interval += 5
    time.sleep(interval)
say(step="token", pending=pending, hasRefresh="refreshToken" in tok, expiresIn=tok["expiresIn"])

# The token cache file `aws sso login` writes for an sso-session (sha1 of the session name), with
# the access token already expired so that botocore must refresh it.
cache_dir = os.path.expanduser("~/.aws/sso/cache")
os.makedirs(cache_dir, exist_ok=True)
fmt = "%Y-%m-%dT%H:%M:%SZ"
now = datetime.datetime.now(datetime.timezone.utc)
cache = {
    "startUrl": start_url,
    "region": "us-east-1",
    "accessToken": tok["accessToken"],
    "expiresAt": (now - datetime.timedelta(minutes=1)).strftime(fmt),
    "clientId": reg["clientId"],
    "clientSecret": reg["clientSecret"],
    "registrationExpiresAt": datetime.datetime.fromtimestamp(reg["clientSecretExpiresAt"], datetime.timezone.utc).strftime(fmt),
    "refreshToken": tok["refreshToken"],
}
path = os.path.join(cache_dir, hashlib.sha1(session_name.encode()).hexdigest() + ".json")
with open(path, "w") as f:
    json.dump(cache, f)

creds = boto3.Session(profile_name=profile).get_credentials().get_frozen_credentials()
with open(path) as f:
    after = json.load(f)
say(
    step="credentials",
    accessKey=creds.access_key,
    sessionToken=creds.token,
    refreshed=after["accessToken"] != tok["accessToken"],
    newRefresh=after.get("refreshToken") != tok["refreshToken"],
)

# The portal's listing calls, through botocore's paginators (the stand-in pages one item at a time).
sso = boto3.client("sso", region_name="us-east-1")
accounts = [
    a["accountId"]
    for page in sso.get_paginator("list_accounts").paginate(accessToken=after["accessToken"])
    for a in page["accountList"]
]
roles = [
    r["roleName"]
    for page in sso.get_paginator("list_account_roles").paginate(accessToken=after["accessToken"], accountId=accounts[0])
    for r in page["roleList"]
]
say(step="listing", accounts=accounts, roles=roles)
