import type { Config } from 'tailwindcss';

// Read by Tailwind 4 through the `@config` line in app/globals.css.
export default {
  content: ['./app/**/*.{ts,tsx}'],
  theme: {
    extend: {
      fontFamily: { sans: ['ui-sans-serif', 'system-ui', 'sans-serif'] },
    },
  },
} satisfies Config;
