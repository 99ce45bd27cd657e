import { Link } from '../router.tsx';
import { PageTitle } from '../ui/page-title.tsx';

export function NotFoundPage() {
  return (
    <section>
      <PageTitle title="Not found">This page does not exist</PageTitle>
      <p>
        The address may be mistyped, or what it pointed to was deleted. <Link to="/">Back to environments</Link>
      </p>
    </section>
  );
}
