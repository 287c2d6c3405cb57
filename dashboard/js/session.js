// Sign-in against the Cognito user pool (InitiateAuth USER_PASSWORD_AUTH; NEW_PASSWORD_REQUIRED answered with
// RespondToAuthChallenge); tokens are kept in sessionStorage, for this tab only.
const KEY = "catalog-sync-session";

async function cognitoCall(cognito, target, body) {
  const response = await fetch(cognito.endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || answer.__type || `sign-in failed (${response.status})`);
  return answer;
}

function keep(username, result) {
  const session = { username, accessToken: result.AccessToken, idToken: result.IdToken,
                    expiresAt: Date.now() + (result.ExpiresIn || 3600) * 1000 };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

/** Returns the session, or {challenge, session} when the user must choose a new password. */
export async function signIn(cognito, username, password) {
  const answer = await cognitoCall(cognito, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH", ClientId: cognito.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password } });
  if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") return { challenge: answer.Session, username };
  if (!answer.AuthenticationResult) throw new Error(`unexpected sign-in step ${answer.ChallengeName || ""}`);
  return keep(username, answer.AuthenticationResult);
}

export async function setNewPassword(cognito, username, challengeSession, newPassword) {
  const answer = await cognitoCall(cognito, "RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: cognito.clientId, Session: challengeSession,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword } });
  if (!answer.AuthenticationResult) throw new Error("the new password was not accepted");
  return keep(username, answer.AuthenticationResult);
}

export function current() {
  try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; }
}

export function signOut() { sessionStorage.removeItem(KEY); }
