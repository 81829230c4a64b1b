import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';

export default function NotFoundPage() {
  return (
    <Result
      status="404"
      title="Page not found"
      subTitle="Check the address, or start again from the ticket list."
      extra={<Link to="/"><Button type="primary">Go to the start page</Button></Link>}
    />
  );
}
