/**
 * Fluent UI, Teams' design system, as web components (@fluentui/web-components 3): only the components the tabs use
 * are defined, so the bundle the web process serves stays small (no CDN: esbuild bundles them from node_modules, see
 * src/tabs/assets.ts). The theme is Teams' own token set for the theme Teams gives the tab (app.getContext's
 * app.theme: default, dark or contrast), applied with setTheme as CSS custom properties that tabs.css uses too.
 */
import '@fluentui/web-components/button.js';
import '@fluentui/web-components/toggle-button.js';
import '@fluentui/web-components/dropdown.js';
import '@fluentui/web-components/listbox.js';
import '@fluentui/web-components/option.js';
import '@fluentui/web-components/field.js';
import '@fluentui/web-components/textarea.js';
import '@fluentui/web-components/dialog.js';
import '@fluentui/web-components/dialog-body.js';
import '@fluentui/web-components/message-bar.js';
import { setTheme } from '@fluentui/web-components/theme/set-theme.js';
import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from '@fluentui/tokens';

export type Theme = 'default' | 'dark' | 'contrast';

const THEMES = { default: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme } as const;

/** Any other name (an unknown or future Teams theme) falls back to the default one. */
export function themeOf(name: string | undefined): Theme {
  return name === 'dark' || name === 'contrast' ? name : 'default';
}

export function applyFluentTheme(name: string | undefined): Theme {
  const theme = themeOf(name);
  setTheme(THEMES[theme]);
  document.body.dataset['theme'] = theme;
  return theme;
}
