/** The root layout: plain HTML, no fonts or assets fetched from anywhere. */

import type { ReactNode } from 'react';

export const metadata = { title: 'Latchkey on Next.js' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
