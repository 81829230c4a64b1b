import { Card, Empty, Typography } from 'antd';
import { Link } from 'react-router-dom';

/** Filled in by the analytics work (volumes, SLA, CSAT, assignment); an honest empty state until then. */
export default function DashboardPage() {
  return (
    <>
      <Typography.Title level={2} style={{ marginTop: 0 }}>Dashboard</Typography.Title>
      <Card>
        <Empty
          description={
            <span>
              Analytics (ticket volumes, SLA, satisfaction) are not available yet.<br />
              Meanwhile, the <Link to="/">home page</Link> shows today’s queue.
            </span>
          }
        />
      </Card>
    </>
  );
}
