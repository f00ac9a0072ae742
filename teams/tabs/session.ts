/**
 * Who is looking, and in which theme. Inside Teams the token comes from Teams single sign-on
 * (authentication.getAuthToken, msteams-docs tabs/how-to/authentication/tab-sso-code.md) and the theme from Teams'
 * context; in an ordinary browser (the embedded demo) from the sign-in page, kept for this tab only. The token travels
 * in the Authorization header, never in a URL.
 */
import { app, authentication } from '@microsoft/teams-js';
import { applyFluentTheme } from './fluent.js';

const TOKEN_KEY = 'switchboard.token';

export function applyTheme(theme: string | undefined): void {
  applyFluentTheme(theme);
}

async function inTeams(): Promise<boolean> {
  if (window.self === window.top) return false;
  try {
    await Promise.race([
      app.initialize(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('not in Teams')), 3000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** The viewer's token, or a trip to the sign-in page (which sends them back here). */
export async function signIn(page: string): Promise<string | undefined> {
  if (await inTeams()) {
    const context = await app.getContext();
    applyTheme(context.app.theme);
    app.registerOnThemeChangeHandler(applyTheme);
    return authentication.getAuthToken();
  }
  applyTheme(new URLSearchParams(location.search).get('theme') ?? undefined);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) return token;
  location.assign(`sign-in?next=${encodeURIComponent(page)}${location.search ? `&${location.search.slice(1)}` : ''}`);
  return undefined;
}

export function keepToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
