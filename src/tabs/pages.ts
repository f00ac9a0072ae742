/** The tabs' HTML: one shell per page; each page's script (teams/tabs/<page>.ts) draws the rest. */
export const TAB_PAGES = ['agent', 'supervisor', 'sign-in'] as const;
export type TabPage = (typeof TAB_PAGES)[number];

const TITLES: Record<TabPage, string> = {
  agent: 'My calls',
  supervisor: 'Floor',
  'sign-in': 'Sign in',
};

export function tabPage(page: TabPage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard · ${TITLES[page]}</title>
<link rel="stylesheet" href="assets/tabs.css">
</head>
<body data-theme="default">
<main id="app" aria-busy="true"><h1>${TITLES[page]}</h1><p>Loading…</p></main>
<script type="module" src="assets/${page}.js"></script>
</body>
</html>
`;
}
