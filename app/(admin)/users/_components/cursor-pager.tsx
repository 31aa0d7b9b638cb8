interface Props {
  canGoBack: boolean;
  canGoForward: boolean;
  onPrevious: () => void;
  onNext: () => void;
  pageNumber: number;
}

/** Previous / Next over a keyset-paginated list (the API hands out opaque cursors). */
export function CursorPager({ canGoBack, canGoForward, onPrevious, onNext, pageNumber }: Props) {
  const button = 'rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50';
  return (
    <nav aria-label="Pagination" className="mt-4 flex items-center justify-end gap-3">
      <span className="text-sm text-slate-500">Page {pageNumber}</span>
      <button type="button" className={button} disabled={!canGoBack} onClick={onPrevious}>
        Previous
      </button>
      <button type="button" className={button} disabled={!canGoForward} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}
