import Link from 'next/link';

export const metadata = { title: 'Page not found · Export Console' };

/** Every unknown URL: the console's own page with a way back, not the framework's stock 404. */
export default function NotFound() {
  return (
    <div className="mx-auto max-w-xl px-6 py-16">
      <header>
        <p className="font-semibold">Export Console</p>
      </header>
      <main className="mt-8">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <p className="mt-2 text-slate-700">There is no page at this address. It may have moved, or the link may be mistyped.</p>
        <p className="mt-6 flex gap-4">
          <Link href="/users" className="font-medium text-indigo-700 underline hover:text-indigo-600">
            Users
          </Link>
          <Link href="/exports" className="font-medium text-indigo-700 underline hover:text-indigo-600">
            Export history
          </Link>
        </p>
      </main>
    </div>
  );
}
